/** Thin route: the explorer lives in explorer/ (DESIGN.md layout). */
export { default, default as ExplorerPage } from '../../../explorer/ExplorerPage';
