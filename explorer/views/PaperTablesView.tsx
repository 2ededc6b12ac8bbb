import { useMemo, memo } from 'react';
import { DataTable } from './DataTable';
import {
  chips,
  models,
  paperTable1,
  paperTable3,
  paperTable7,
  paperWhisperTable,
  type PrintedComparison,
} from '../../roofline';

/** A computed cell; with `withPrinted` the paper's value follows it, muted. */
function Cell({ c, withPrinted = false }: { c: PrintedComparison; withPrinted?: boolean }) {
  return (
    <td className={c.matches ? undefined : 'mismatch'} title={`paper: ${c.printed}`}>
      {c.computedText}
      {(withPrinted || !c.matches) && <span className="printed"> · {c.printed}</span>}
    </td>
  );
}

/** View 7: paper Tables 1, 3 and 7 regenerated from the cost model beside the printed values. */
export const PaperTablesView = memo(function PaperTablesView() {
  const t1 = useMemo(() => paperTable1(models), []);
  const t3 = useMemo(() => paperTable3(chips), []);
  const t7 = useMemo(() => paperTable7(), []);
  const mismatches =
    t1.filter((r) => !r.contextMemory.matches).length +
    t3.filter((r) => !r.opsPerByte.matches).length +
    t7.reduce((s, r) => s + r.cells.filter((c) => !c.matches).length, 0);
  return (
    <section className="view" aria-labelledby="view-tables">
      <h2 id="view-tables">7 · The paper&apos;s tables, regenerated live</h2>
      <p data-testid="tables-summary">
        Every value below is computed by the cost model and rounded to the paper&apos;s printed
        precision;{' '}
        {mismatches === 0
          ? 'all agree with the printed values.'
          : `${mismatches} differ from the printed values and are highlighted.`}
      </p>
      <details open>
        <summary>Table 1 · MHA models: context memory 2·d·layers·context (values)</summary>
        <DataTable
          label="Paper Table 1, MHA models"
          columns={['model', 'd', 'layers', 'context', 'paper', 'cost model']}
        >
          {t1.map((r) => (
            <tr key={r.model.id}>
              <th scope="row">{r.model.name}</th>
              <td>{r.model.d}</td>
              <td>{r.model.layers}</td>
              <td>{r.model.contextLength?.toLocaleString('en-US')}</td>
              <td>{r.contextMemory.printed}</td>
              <Cell c={r.contextMemory} />
            </tr>
          ))}
        </DataTable>
      </details>
      <details open>
        <summary>Table 3 · chips: int8 OPs per byte of memory traffic</summary>
        <DataTable
          label="Paper Table 3, chips"
          columns={['chip', 'int8 TOPS', 'GB/s', 'paper', 'cost model']}
        >
          {t3.map((r) => (
            <tr key={r.chip.id}>
              <th scope="row">{r.chip.name}</th>
              <td>{r.chip.paperTable3?.int8Tops.toLocaleString('en-US')}</td>
              <td>{r.chip.paperTable3?.bandwidthGBps.toLocaleString('en-US')}</td>
              <td>{r.opsPerByte.printed}</td>
              <Cell c={r.opsPerByte} />
            </tr>
          ))}
        </DataTable>
      </details>
      <details open>
        <summary>
          Table 7 · Whisper: caches, weights, reads per token, speedups (paper §4); each cell: cost
          model · paper
        </summary>
        <DataTable
          label="Paper Table 7, Whisper"
          columns={['row', ...paperWhisperTable.models.map((m) => m.replace('whisper-', ''))]}
        >
          {t7.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              {r.cells.map((c, i) => (
                <Cell key={i} c={c} withPrinted />
              ))}
            </tr>
          ))}
        </DataTable>
      </details>
    </section>
  );
});
