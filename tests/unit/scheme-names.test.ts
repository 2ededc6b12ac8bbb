/**
 * The paper numbers its alternatives “option 1” and “option 2” separately in §2 (decode order),
 * §3 (right inverse or X-cache) and §4 (K-caches or E-cache), so one number means three things
 * (issue 20). Every label and sentence a reader meets names a scheme by what it caches or
 * computes; the option number appears only inside “(paper §x, option N)”. The rendered lessons
 * are checked in tests/components/lessons-naming.test.tsx; here the explorer's labels and the
 * strings of every source a reader meets.
 */
import { sourceFiles, withoutComments } from '../shared/sourceFiles';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applicability,
  cacheSchemeLabels,
  decodeOrderLabels,
  models,
  schemeLabel,
  type CacheScheme,
} from '../../roofline';
import { intensitySchemeLabels } from '../../explorer/series/intensity';
import { memoryLines } from '../../explorer/series/memory';
import { bareOptions } from '../shared/optionNames';

describe('bareOptions', () => {
  it('accepts the bracketed form only', () => {
    expect(bareOptions('the X-cache (paper §3, option 2) caches X')).toEqual([]);
    expect(bareOptions('slim, option 2')).toHaveLength(1);
    expect(bareOptions('Option 1 rebuilds V')).toHaveLength(1);
    expect(bareOptions('options 1 and 2')).toHaveLength(1);
    expect(bareOptions('paper §3 option 2')).toHaveLength(1);
    expect(bareOptions('(E-cache, paper §4, option 2)')).toEqual([]);
    expect(bareOptions('(paper §4,\n      option 2)')).toEqual([]);
    expect(bareOptions('(a shortcut, paper §3, option 2, is ruled out)')).toHaveLength(1);
    expect(bareOptions('(paper §2, option 1) and (paper §2, options 1)')).toHaveLength(1);
  });
});

const SCHEMES: readonly CacheScheme[] = [
  'kv',
  'k-cache',
  'v-cache',
  'x-cache',
  'd-wide-cache',
  'e-cache',
];

describe('the explorer names schemes by what they cache or compute', () => {
  it('scheme and decode-order labels', () => {
    const labels = [
      ...Object.values(cacheSchemeLabels),
      ...Object.values(decodeOrderLabels),
      ...Object.values(intensitySchemeLabels),
    ];
    expect(labels.flatMap(bareOptions)).toEqual([]);
    // Both decode orders by name, each with paper §2's number.
    expect(decodeOrderLabels['v-first']).toMatch(/^slim, V-first: .*\(paper §2, option 1\)$/);
    expect(decodeOrderLabels['k-first']).toMatch(/^slim, K-first: .*\(paper §2, option 2\)$/);
  });

  it('every model: applicability options, verdicts, notes, memory lines and scheme labels', () => {
    const offenders = models.flatMap((m) => {
      const a = applicability(m);
      const texts = [
        a.reason,
        ...a.options.flatMap((o) => [o.name, o.note]),
        ...memoryLines(m).map((l) => l.label),
        ...SCHEMES.map((s) => schemeLabel(m, s)),
      ];
      return texts.flatMap(bareOptions).map((t) => `${m.id}: ${t}`);
    });
    expect(offenders).toEqual([]);
  });

  it('T5-11B lists its schemes with the section each option number belongs to', () => {
    const t5 = models.find((m) => m.id === 't5-11b');
    if (!t5) throw new Error('t5-11b is not in the catalog');
    const names = applicability(t5).options.map((o) => o.name);
    // An encoder–decoder with heads wider than the model: §4's two options and §3's X-cache.
    expect(names).toEqual([
      'self and cross K-caches (paper §4, option 1)',
      'self K-cache + E-cache (paper §4, option 2)',
      'X-cache of the d-wide inputs (paper §3, option 2)',
    ]);
  });
});

const ROOT = join(__dirname, '../..');

describe('sources a reader meets', () => {
  it.each(['lessons', 'explorer', 'roofline', 'app', 'playground', 'engine', 'components'])(
    '%s: no bare option number outside comments',
    (dir) => {
      const offenders = sourceFiles(join(ROOT, dir)).flatMap((file) =>
        bareOptions(withoutComments(readFileSync(file, 'utf8'))).map(
          (t) => `${relative(ROOT, file)}: ${t.replace(/\s+/g, ' ')}`,
        ),
      );
      expect(offenders).toEqual([]);
    },
  );
});
