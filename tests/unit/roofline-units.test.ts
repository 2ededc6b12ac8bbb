import { describe, expect, it } from 'vitest';
import {
  bytesPerFormat,
  bytesPerStoredValue,
  bytesPerValueOf,
  chips,
  computeDtype,
  defaultPeakDtype,
  DECIMALS_1,
  dtypes,
  memoryReport,
  models,
  requireChip,
  requireModel,
  storageFormats,
  units,
} from '../../roofline';
import { slimVariantJson } from '../../cli/contract';
import { formatBytes as cliBytes, formatCapacity as cliCapacity } from '../../cli/format';
import { formatBytes as appBytes, formatCapacity as appCapacity } from '../../components/format';

describe('units: one size formatter for app and CLI', () => {
  it('prints decimal units: the CLI with one decimal, the app with three significant digits', () => {
    expect(cliBytes(25_769_803_776)).toBe('25.8 GB');
    expect(appBytes(25_769_803_776)).toBe('25.8 GB');
    expect(cliBytes(123_456_789_000)).toBe('123.5 GB');
    expect(appBytes(123_456_789_000)).toBe('123 GB');
    expect(cliBytes(512)).toBe('512 B');
    expect(appBytes(512)).toBe('512 B');
    expect(appBytes(Number.NaN)).toBe('—');
    expect(units.formatBytes(2.5e15, DECIMALS_1)).toBe('2.5 PB');
  });

  it('the CLI names binary capacities in GiB; the app prints every size in decimal units', () => {
    expect(cliCapacity(80 * 2 ** 30)).toBe('80 GiB');
    expect(appCapacity(80 * 2 ** 30)).toBe('85.9 GB');
    expect(cliCapacity(141e9)).toBe('141.0 GB');
    expect(appCapacity(141e9)).toBe('141 GB');
  });
});

describe('formats: one bytes table, one peak policy', () => {
  it('derives the peak-format and storage-format tables from bytesPerFormat', () => {
    for (const t of dtypes) expect(bytesPerValueOf[t]).toBe(bytesPerFormat[t]);
    for (const f of storageFormats) expect(bytesPerStoredValue[f]).toBe(bytesPerFormat[f]);
    expect(Object.keys(bytesPerValueOf)).toEqual([...dtypes]);
  });

  it('picks the exact peak where the chip lists it, a stand-in otherwise', () => {
    const h200 = requireChip('nvidia-h200');
    expect(computeDtype(h200, 'fp8')).toEqual({ dtype: 'fp8', exact: true });
    expect(computeDtype(h200, 'int4')).toEqual({ dtype: 'int8', exact: false });
    expect(defaultPeakDtype(h200)).toBe('int8');
    // The default (CLI without --dtype) is int8, else fp16, else bf16 (paper Table 3 is int8).
    for (const chip of chips) {
      const listed = (['int8', 'fp16', 'bf16'] as const).find(
        (t) => chip.peakOpsPerSecond[t] !== undefined,
      );
      expect(defaultPeakDtype(chip)).toBe(listed);
    }
  });
});

describe('cli/contract: CacheScheme → the JSON slimVariant strings', () => {
  it('keeps the historical names', () => {
    const name = (id: string, n: number) => {
      const m = requireModel(id);
      return slimVariantJson(m, memoryReport(m, { contextLength: n }).slimScheme);
    };
    expect(name('phi-3-mini-128k', 4096)).toBe('k-cache');
    expect(name('whisper-tiny', 1948)).toBe('option-2');
    expect(name('t5-11b', 1024)).toBe('x-cache');
    expect(name('codegemma-7b', 8192)).toBe('d-wide-cache');
    expect(name('llama-3-8b', 8192)).toBe('none');
    expect(name('moonshine-base', 4096)).toBe('option-1');
  });

  it('maps every catalog model to one of the six contract values', () => {
    const allowed = ['k-cache', 'option-1', 'option-2', 'x-cache', 'd-wide-cache', 'none'];
    for (const m of models) {
      const n = (m.encoderLength ?? 0) + 64;
      expect(allowed).toContain(
        slimVariantJson(m, memoryReport(m, { contextLength: n }).slimScheme),
      );
    }
  });
});
