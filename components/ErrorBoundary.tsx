import { Component, type ReactNode } from 'react';

interface Props {
  /** Changes when the inputs change, so fixed inputs clear the error and render again. */
  resetKey: string;
  /** What to show instead of the children while they throw. */
  fallback: (error: Error) => ReactNode;
  children: ReactNode;
}

interface State {
  error: Error | null;
  resetKey: string;
}

/**
 * Keeps an error while rendering one part of a page (an input the engine or the cost model
 * refuses) from replacing the whole page with the router's crash screen: the part shows the
 * specific message, the controls outside it stay usable, and changing the inputs retries.
 */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  render() {
    return this.state.error === null ? this.props.children : this.props.fallback(this.state.error);
  }
}
