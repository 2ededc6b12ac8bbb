import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { applicability, requireModel } from '../../roofline';
import { ColumnHeads } from '../../components/ColumnHeads';
import { enumCodec } from '../../components/useUrlState';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import { TableScroll } from '../../components/TableScroll';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { TitleText } from '../common/TitleText';
import { tc } from './format';
import { catalogChart, catalogRows, type CatalogRow } from './catalogChart';

const FILTERS = ['all', 'applicable', 'not'] as const;
type Filter = (typeof FILTERS)[number];
const filterCodec = enumCodec(FILTERS);
const FILTER_LABELS: Record<Filter, string> = {
  all: 'all models',
  applicable: 'slim helps',
  not: 'no gain',
};

/** Every catalog model sorted by c, as a chart and a table, with a filter on the verdict. */
export function CatalogSection() {
  const [revealed, setRevealed] = useState(false);
  const [filter, setFilter] = useLessonState('filter', filterCodec, 'all');
  const llama = requireModel('llama-3-8b');
  const llamaVerdict = applicability(llama);
  const all: CatalogRow[] = useMemo(() => catalogRows(), []);
  const rows = all.filter(
    (r) => filter === 'all' || (filter === 'applicable' ? r.applicable : !r.applicable),
  );
  const options = useMemo(() => catalogChart(rows), [rows]);
  return (
    <>
      <h2>The catalog, sorted by c</h2>
      <LessonCheckpoint
        id="llama3-shrink"
        onRevealed={setRevealed}
        question={
          <>
            {llama.name} has <Tex>{`h = ${tc(llama.heads)}`}</Tex>,{' '}
            <Tex>{`h_{kv} = ${tc(llama.kvHeads)}`}</Tex>,{' '}
            <Tex>{`d_k = d_v = ${tc(llama.headDim)}`}</Tex> and <Tex>{`d = ${tc(llama.d)}`}</Tex>.
            Does slim attention shrink its cache?
          </>
        }
        choices={[
          { label: 'Yes, by half, like every model', correct: false },
          {
            label: 'Yes, with a d-wide cache, by a little',
            correct: llamaVerdict.applicable && llamaVerdict.factor < 2,
          },
          {
            label: 'No: its KV-cache row is already narrower than d',
            correct: !llamaVerdict.applicable,
          },
        ]}
        explanation={
          <p>
            <TitleText text={llamaVerdict.reason} />
          </p>
        }
      />
      {revealed ? (
        <>
          <fieldset className="gqa-filter">
            <legend className="small">show</legend>
            {FILTERS.map((f) => (
              <label key={f}>
                <input
                  type="radio"
                  name="gqa-filter"
                  checked={filter === f}
                  onChange={() => setFilter(f)}
                />{' '}
                {FILTER_LABELS[f]}
              </label>
            ))}
          </fieldset>
          <p data-testid="catalog-count">
            {rows.length} of {all.length} catalog models. MHA models sit at the top with{' '}
            <Tex>{'c \\ge 2'}</Tex>; the GQA and MQA models sit at the bottom, most of them below{' '}
            <Tex>{'c = 1'}</Tex>, where slim attention gives nothing.
          </p>
          {rows.length > 0 && (
            <PlotFigure
              options={options}
              ariaLabel="catalog models by compression factor c"
              className="gqa-chart"
            />
          )}
          <TableScroll label="Catalog models sorted by c" maxHeight="32rem">
            <table className="diff-table gqa-catalog" aria-label="catalog models sorted by c">
              <ColumnHeads
                columns={[
                  'model',
                  'attention',
                  'd',
                  'h',
                  'h_kv',
                  'd_k',
                  'd_cache',
                  'c',
                  'slim helps?',
                ]}
              />
              <tbody>
                {rows.map((r) => (
                  <tr key={r.model.id} data-testid={`catalog-${r.model.id}`}>
                    <th scope="row">{r.model.name}</th>
                    <td>{r.model.attention}</td>
                    <td>{formatCount(r.model.d)}</td>
                    <td>{r.model.heads}</td>
                    <td>{r.model.kvHeads}</td>
                    <td>{r.model.headDim}</td>
                    <td>{formatCount(r.dCache)}</td>
                    <td data-testid={`catalog-c-${r.model.id}`}>{formatNumber(r.c, 3)}</td>
                    <td>{r.applicable ? `yes, ${formatNumber(r.factor, 3)}x` : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p className="small">
            “slim helps” is the explorer’s verdict: the best cache reduction among the schemes that
            work for the model (for encoder–decoders it can exceed c, paper §4).{' '}
            <Link to={`/explorer?model=${llama.id}`}>Open {llama.name} in the explorer</Link>.
          </p>
        </>
      ) : (
        <p className="small">The catalog appears once the prediction above is answered.</p>
      )}
    </>
  );
}
