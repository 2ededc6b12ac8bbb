import { useDeferredValue, useMemo } from 'react';
import { UrlStateProvider } from '../components/useUrlState';
import { contextGrid, contextRange, type Setup } from './series';
import { Controls } from './Controls';
import { useExplorerState } from './state';
import { ViewsErrorBoundary } from './ViewsErrorBoundary';
import { setupWarnings, Warnings } from './Warnings';
import { ApplicabilityView } from './views/ApplicabilityView';
import { IntensityView } from './views/IntensityView';
import { MemoryView } from './views/MemoryView';
import { PaperTablesView } from './views/PaperTablesView';
import { PlannerView } from './views/PlannerView';
import { RooflineView } from './views/RooflineView';
import { SpeedupView } from './views/SpeedupView';
import './explorer.css';

/** Positions of the context slider (a log grid over the model's range). */
export const SERIES_POINTS = 512;

/**
 * Points per plotted series: about one per 4 px of a 640 px chart, where the eye cannot tell the
 * curves from the slider's 512. A model or chip change recomputes and redraws every series, so
 * this is what keeps it to a frame or two (bench/explorer-bench.ts); the grids share both ends.
 */
export const CHART_POINTS = 160;

/**
 * The roofline & memory explorer. Every number comes from roofline/ (explorer/series samples
 * the cost model, one module per view); this page only wires the URL state to the views. The
 * provider lets the context slider update the views at once and write the URL once it rests
 * (components/useUrlState.ts), so a drag is not one history write per frame.
 */
export default function ExplorerPage() {
  return (
    <UrlStateProvider>
      <Explorer />
    </UrlStateProvider>
  );
}

function Explorer() {
  const state = useExplorerState();
  const { model, chip, batch, weightFormat, cacheFormat } = state;
  const range = useMemo(() => contextRange(model), [model]);
  const grid = useMemo(() => contextGrid(range.min, range.max, SERIES_POINTS), [range]);
  // A context outside the model's plotted range (e.g. 128K for Whisper) is clamped, not refused.
  const contextLength = Math.min(range.max, Math.max(range.min, state.context));
  const setup = useMemo<Setup>(
    () => ({ model, chip, batch, contextLength, weightFormat, cacheFormat }),
    [model, chip, batch, contextLength, weightFormat, cacheFormat],
  );
  const warnings = useMemo(() => setupWarnings(setup, range.max), [setup, range.max]);
  // The views follow a deferred copy of the setup: the controls answer in the input's own frame,
  // then React renders the views in the background, yielding between components (each chart is
  // built in its own component's render, components/charts/PlotFigure.tsx), so a model or chip
  // change is many short tasks instead of one long one (bench/explorer-bench.ts).
  const viewSetup = useDeferredValue(setup);
  const viewRange = useMemo(() => contextRange(viewSetup.model), [viewSetup.model]);
  const chartGrid = useMemo(
    () => contextGrid(viewRange.min, viewRange.max, CHART_POINTS),
    [viewRange],
  );
  return (
    <section className="page explorer">
      <h1>Roofline &amp; memory explorer</h1>
      <p className="lead">
        Does slim attention pay off for your model on your chip? Pick both, drag the context length,
        and every view below follows — memory, intensity, roofline, speedup, verdict and capacity,
        all computed by the cost model from the paper.
      </p>
      <Warnings warnings={warnings} problems={state.problems} />
      <div className="explorer-layout">
        <Controls state={{ ...state, context: contextLength }} grid={grid} />
        <ViewsErrorBoundary
          resetKey={JSON.stringify([model, chip, batch, weightFormat, cacheFormat])}
        >
          <div
            className="explorer-views"
            data-context={viewSetup.contextLength}
            aria-busy={viewSetup !== setup}
          >
            <MemoryView setup={viewSetup} grid={chartGrid} />
            <IntensityView setup={viewSetup} grid={chartGrid} />
            <RooflineView setup={viewSetup} grid={chartGrid} />
            <SpeedupView setup={viewSetup} grid={chartGrid} />
            <ApplicabilityView model={viewSetup.model} />
            <PlannerView
              setup={viewSetup}
              grid={chartGrid}
              chipCount={state.plannerChips}
              users={state.plannerUsers}
              onChipCount={state.setPlannerChips}
              onUsers={state.setPlannerUsers}
            />
            <PaperTablesView />
          </div>
        </ViewsErrorBoundary>
      </div>
    </section>
  );
}
