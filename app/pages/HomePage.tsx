import { Link } from 'react-router-dom';
import { formatBytes } from '../../components/format';
import { memoryReport, requireModel } from '../../roofline';
import { pageInfo } from '../nav';

/** A few well-known setups (paper §1 and Table 1), computed by the cost model, 1 byte/value. */
const EXAMPLES = [
  { id: 'phi-3-mini-128k', batch: 1 },
  { id: 'phi-3-mini-128k', batch: 16 },
  { id: 'codellama-13b', batch: 8 },
].map(({ id, batch }) => {
  const model = requireModel(id);
  const contextLength = model.contextLength ?? 4096;
  return { model, report: memoryReport(model, { contextLength, batch, bytesPerValue: 1 }) };
});

export function HomePage() {
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
      <p>
        Slim Attention Lab teaches this idea step by step on a model small enough to check by hand,
        then proves it on real transformers running in your browser, with standard and slim
        attention side by side, and lets you check whether it pays off for your model and your chip.
      </p>
      <h2>By the numbers</h2>
      <table className="numbers">
        <caption className="small">
          Full context, 1 byte per value; memory a decode step reads. From the cost model (paper
          §1); explore any model and chip in the roofline explorer.
        </caption>
        <thead>
          <tr>
            <th scope="col">model</th>
            <th scope="col">context × batch</th>
            <th scope="col">KV-cache</th>
            <th scope="col">slim K-cache</th>
            <th scope="col">decode speedup (memory bound)</th>
          </tr>
        </thead>
        <tbody>
          {EXAMPLES.map(({ model, report }) => (
            <tr key={`${model.id}-${report.batch}`}>
              <td>{model.name}</td>
              <td>
                {report.contextLength.toLocaleString('en-US')} × {report.batch}
              </td>
              <td>{formatBytes(report.kvCacheBytes.standard)}</td>
              <td>{formatBytes(report.kvCacheBytes.slim)}</td>
              <td>{report.decodeSpeedup.toFixed(2)}×</td>
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
