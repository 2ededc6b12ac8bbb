import { useEffect } from 'react';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { DEFAULT_MODEL_CARDS, defaultModelsBase } from '../components/defaultModels';
import { KernelView } from './KernelView';
import { ModelPanel } from './ModelPanel';
import { GeneratePanel } from './GeneratePanel';
import { CheckPanel } from './CheckPanel';
import { usePlaygroundUrlState } from './usePlaygroundUrlState';
import { usePlaygroundWorker } from './usePlaygroundWorker';
import './playground.css';

export default function PlaygroundPage() {
  useDocumentTitle('Playground');
  const { model, setModel, hub, generation } = usePlaygroundUrlState();
  const worker = usePlaygroundWorker();
  const { startLoad, restarts } = worker;

  // A default model loads as soon as it is picked (and on the first visit). This effect stays
  // here, after the worker's: a panel's effects would run before the worker exists. A restarted
  // worker (it did not answer Stop) has no model: a default one loads again.
  useEffect(() => {
    if (model !== 'hub' && model !== 'files')
      void startLoad({ kind: 'default', name: model, base: defaultModelsBase() }, model);
  }, [model, startLoad, restarts]);

  const ready = worker.load.state === 'ready';
  const running = worker.gen.state === 'running';

  return (
    <article className="playground-page">
      <h1>Playground: standard vs slim on real weights</h1>
      <p className="lede">
        A trained model generates twice, token by token: once with the standard KV-cache and once
        with slim attention’s K-cache alone (V = K·W<sub>KV</sub>, paper §1). Same tokens, half the
        cache. Everything runs in a worker on this device, on WebGL2 or the CPU.
      </p>
      <ModelPanel model={model} setModel={setModel} hub={hub} worker={worker} />
      <GeneratePanel
        settings={generation}
        ready={ready}
        worker={worker}
        card={
          model === 'hub' || model === 'files'
            ? undefined
            : { name: model, ...DEFAULT_MODEL_CARDS[model] }
        }
      />
      <CheckPanel worker={worker} disabled={!ready || running} />
      <KernelView />
    </article>
  );
}
