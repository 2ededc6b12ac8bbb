import { describe, expect, it } from 'vitest';
import {
  FAMILIES,
  familyOfArchitecture,
  familyOfModelType,
  readModelSpec,
} from '../../engine/models';
import { HF_LAYOUTS, layoutOfModelType } from '../../roofline';
import { TINY_CONFIGS } from './models-helpers';

describe('the family table', () => {
  it('each row’s config.json reads back as its family config (the two mappings agree)', () => {
    for (const row of FAMILIES) {
      const config = TINY_CONFIGS[row.id];
      const spec = readModelSpec(JSON.stringify(row.configJson(config)));
      expect(spec.family).toBe(row.id);
      expect(spec.familyConfig.config).toMatchObject(config);
      expect(spec.shapes).toEqual(row.shapes(config));
      expect(spec.rope).toBe(row.rope);
    }
  });

  it('architectures and model_types name one row each, in the layout roofline parses them with', () => {
    const archs = FAMILIES.flatMap((f) => f.architectures);
    expect(new Set(archs).size).toBe(archs.length);
    for (const row of FAMILIES) {
      for (const a of row.architectures) expect(familyOfArchitecture(a)).toBe(row);
      for (const t of row.modelTypes) {
        expect(familyOfModelType(t)).toBe(row);
        expect(layoutOfModelType(t)).toBe(row.configLayout);
        expect(HF_LAYOUTS[row.configLayout].modelTypes).toContain(t);
      }
    }
  });
});
