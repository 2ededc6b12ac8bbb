/**
 * Lesson 11's worker: measures the default models' layers off the page's thread, so the lesson
 * stays responsive while the SVDs run. The page talks to it through comlink.
 */
import * as Comlink from 'comlink';
import { measureDefaultModels } from './measure';

const api = { measure: measureDefaultModels };

export type PrecisionWorkerApi = typeof api;
Comlink.expose(api);
