import { useState } from 'react';
import {
  FAMILIES,
  HubClient,
  hubAddressProblem,
  MAX_HUB_WEIGHT_BYTES,
  repoIdProblem,
} from '../engine';
import { formatCapacity } from '../components/format';
import type { HubParams } from './usePlaygroundUrlState';
import type { LoadState, PlaygroundWorker } from './usePlaygroundWorker';

/**
 * The Hub part of the Model panel: repo id, revision, the supported families with an example
 * repo each (a click fills the repo id), Download / Cancel, "Clear cached files", and the Hub
 * address. The address and the repo id are checked here, before the worker sees them.
 */
export function HubForm({
  hub,
  load,
  startLoad,
  loadRefused,
  cancelDownload,
}: {
  hub: HubParams;
  load: LoadState;
} & Pick<PlaygroundWorker, 'startLoad' | 'loadRefused' | 'cancelDownload'>) {
  const [endpoint, setEndpoint] = useState(hub.endpoint);
  const [repo, setRepo] = useState(hub.repo);
  const [revision, setRevision] = useState(hub.revision);
  // A bad address from the link: show the field and what is wrong at once.
  const [openAdvanced] = useState(() => hubAddressProblem(hub.endpoint.trim()) !== null);
  const [cleared, setCleared] = useState<string | null>(null);
  const addressProblem = hubAddressProblem(endpoint.trim());
  const loading = load.state === 'loading';

  /** The checked address and repo id, or null after saying what is wrong. */
  const checked = (): { address: string; id: string } | null => {
    const address = endpoint.trim();
    const id = repo.trim();
    if (addressProblem) {
      loadRefused(`Hub address “${address}”: ${addressProblem}.`);
      return null;
    }
    const problem = repoIdProblem(id);
    if (problem) {
      loadRefused(`Repo id “${repo}”: ${problem}.`);
      return null;
    }
    return { address, id };
  };

  const download = () => {
    const ok = checked();
    if (!ok) return;
    setCleared(null);
    void startLoad(
      { kind: 'hub', endpoint: ok.address, repo: ok.id, revision: revision.trim() || 'main' },
      `${ok.id} from ${ok.address}`,
    );
  };

  const clear = async () => {
    const ok = checked();
    if (!ok) return;
    try {
      const removed = await new HubClient({ endpoint: ok.address }).clearCache(ok.id);
      setCleared(
        removed === 0
          ? `No cached files of ${ok.id} from ${ok.address} in this browser.`
          : `Removed ${removed} cached file${removed === 1 ? '' : 's'} of ${ok.id} from this browser: the next Download fetches them again.`,
      );
    } catch (error) {
      setCleared(
        `Could not clear the cached files of ${ok.id}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  return (
    <form
      className="playground-row"
      onSubmit={(e) => {
        e.preventDefault();
        download();
      }}
    >
      <label>
        Repo id
        <input
          value={repo}
          placeholder="owner/name, e.g. distilgpt2"
          onChange={(e) => setRepo(e.target.value)}
        />
      </label>
      <label>
        Revision
        <input value={revision} onChange={(e) => setRevision(e.target.value)} />
      </label>
      <button type="submit" disabled={loading}>
        Download
      </button>
      {loading && (
        <button type="button" className="secondary" onClick={cancelDownload}>
          Cancel
        </button>
      )}
      <button type="button" className="secondary" disabled={loading} onClick={() => void clear()}>
        Clear cached files
      </button>
      {cleared && (
        <p role="status" className="hint playground-wide" data-testid="hub-cache-cleared">
          {cleared}
        </p>
      )}
      <div className="playground-wide" data-testid="hub-families">
        <p className="hint">
          Supported families (an example repo each; click to fill the repo id). config.json is
          checked first: another architecture, or weights over{' '}
          {formatCapacity(MAX_HUB_WEIGHT_BYTES)}, are refused before any weight is downloaded.
        </p>
        <ul className="playground-families">
          {FAMILIES.map((f) => (
            <li key={f.id}>
              {f.label}:{' '}
              <button
                type="button"
                className="secondary"
                aria-label={`Use ${f.exampleRepo} (${f.label})`}
                onClick={() => setRepo(f.exampleRepo)}
              >
                {f.exampleRepo}
              </button>
            </li>
          ))}
        </ul>
      </div>
      <details className="playground-advanced" open={openAdvanced}>
        <summary>Advanced: Hub address</summary>
        <label>
          Hub address
          <input
            value={endpoint}
            aria-invalid={addressProblem !== null}
            onChange={(e) => setEndpoint(e.target.value)}
          />
        </label>
        {addressProblem && (
          <p className="hint" data-testid="hub-address-problem">
            This address cannot be used: {addressProblem}.
          </p>
        )}
        <p className="hint">
          Files come from <code>{'{address}/{repo}/resolve/{revision}/{file}'}</code> and are kept
          in this browser’s Cache Storage once they check out: a second load makes no request.
        </p>
      </details>
    </form>
  );
}
