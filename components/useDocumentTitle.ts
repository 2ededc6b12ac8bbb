import { useEffect } from 'react';

/** The app's name, the last part of every tab title. */
export const APP_TITLE = 'Slim Attention Lab';

/** "Invert W_K" → "Invert W_K — Slim Attention Lab"; no page title gives the app's name alone. */
export function documentTitle(pageTitle?: string): string {
  return pageTitle ? `${pageTitle} — ${APP_TITLE}` : APP_TITLE;
}

/**
 * Sets the tab title (`<title>`) while the calling page is shown, so tabs and history read as
 * the page they hold. `undefined` leaves the title to someone else (a layout's fallback).
 */
export function useDocumentTitle(pageTitle: string | undefined): void {
  useEffect(() => {
    if (pageTitle !== undefined) document.title = documentTitle(pageTitle);
  }, [pageTitle]);
}
