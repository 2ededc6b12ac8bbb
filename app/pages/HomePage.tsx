import { Link } from 'react-router-dom';
import { pages } from '../routes';

export function HomePage() {
  const cards = pages.filter((p) => p.description && p.navLabel);
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
