import { Link } from 'react-router-dom';
import { formatBytes } from '../../components/format';
import { memoryReport, requireModel } from '../../roofline';
import { lessonPath, lessons } from '../../lessons/registry';
import { pageInfo } from '../nav';
import './home.css';
import { useDocumentTitle } from '../../components/useDocumentTitle';

/**
 * A few models of paper Table 1 at their full context, computed by the cost model, 1 byte/value.
 * Not Phi-3-mini-128k: lesson 1 asks the reader to predict its speedups, so this table must not
 * print them first.
 */
const EXAMPLES = [
  { id: 'codellama-7b', batch: 1 },
  { id: 'vicuna-13b-16k', batch: 4 },
  { id: 'codellama-13b', batch: 8 },
].map(({ id, batch }) => {
  const model = requireModel(id);
  const contextLength = model.contextLength ?? 4096;
  return { model, report: memoryReport(model, { contextLength, batch, bytesPerValue: 1 }) };
});

/** The table's columns; on a phone each cell shows its column's name (home.css). */
const COLUMNS = [
  'model',
  'context × batch',
  'KV-cache',
  'slim K-cache',
  'decode speedup (memory bound)',
] as const;

export function HomePage() {
  useDocumentTitle('K-cache is all you need');
  const cards = pageInfo.filter((p) => p.description && p.navLabel);
  return (
    <section className="page home">
      <h1>K-cache is all you need</h1>
      <p className="lead">
        In multi-head attention the key projection W<sub>K</sub> is square and almost surely
        invertible. So the values can be recomputed from the keys: V = K·W<sub>KV</sub> with W
        <sub>KV</sub> = W<sub>K</sub>
        <sup>−1</sup>·W<sub>V</sub>, computed once, offline. Only K needs to be cached — the
        KV-cache halves, and the output does not change at all.
      </p>
      <p className="home-start">
        <Link className="start-button" to={lessonPath(lessons[0].slug)}>
          Start with lesson 1 →
        </Link>{' '}
        <span className="small">{lessons[0].title}</span>
      </p>
      <p>
        Slim Attention Lab teaches this idea step by step on a model small enough to check by hand,
        then proves it on real transformers running in your browser, with standard and slim
        attention side by side, and lets you check whether it pays off for your model and your chip.
      </p>
      <h2>By the numbers</h2>
      <table className="numbers home-numbers">
        <caption className="small">
          Models of paper Table 1 at their full context, 1 byte per value; memory a decode step
          reads. From the cost model (paper §1); explore any model and chip in the roofline
          explorer.
        </caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {EXAMPLES.map(({ model, report }) => (
            <tr key={`${model.id}-${report.batch}`}>
              <td data-label={COLUMNS[0]}>{model.name}</td>
              <td data-label={COLUMNS[1]}>
                {report.contextLength.toLocaleString('en-US')} × {report.batch}
              </td>
              <td data-label={COLUMNS[2]}>{formatBytes(report.kvCacheBytes.standard)}</td>
              <td data-label={COLUMNS[3]}>{formatBytes(report.kvCacheBytes.slim)}</td>
              <td data-label={COLUMNS[4]}>{report.decodeSpeedup.toFixed(2)}×</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cards.length > 0 && (
        <ul className="cards">
          {cards.map((p) => (
            <li key={p.path} className="card">
              <Link to={p.path}>
                <h2>{p.navLabel}</h2>
                <p>{p.description}</p>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <p className="small">
        Source: N. Graef and A. Wasielewski, “Slim attention: cut your context memory in half
        without loss — K-cache is all you need for MHA”, arXiv 2503.05840 (2025).
      </p>
    </section>
  );
}
