import { Component, type ErrorInfo, type ReactNode } from 'react';
import { errorMessage } from '@/utils/errorMessage';

interface State {
  error: Error | null;
}

/**
 * A failed read or render shows what went wrong and a way out, instead of a blank panel.
 * Nothing is lost: every write already went through the background in a transaction.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Callback Desk: the page failed to render', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="notice notice-error pad">
        <p>
          <strong>Callback Desk could not show this page.</strong> Your leads and calls are safe.
        </p>
        <p className="muted">{errorMessage(error)}</p>
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
