import { Component, type ReactNode } from 'react';

interface Props {
  /** Changes when the setup changes, so a fixed input clears the error. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
  resetKey: string;
}

/**
 * Keeps a model the cost model refuses (RooflineInputError while rendering a view) from
 * replacing the whole page with the router's crash screen: the message shows where the views
 * were, the controls beside it stay usable, and changing them retries.
 */
export class ViewsErrorBoundary extends Component<Props, State> {
  state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="explorer-views explorer-error" role="alert">
        <h2>These numbers cannot be computed</h2>
        <p>{this.state.error.message}</p>
        <p>Change the model or chip on the left, or pick one from the catalog.</p>
      </div>
    );
  }
}
