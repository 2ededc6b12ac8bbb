/**
 * What a Hub download is told (options, size limits) and what it reports (progress).
 */
import type { HubCache } from './hubCache';

export interface DownloadProgress {
  repo: string;
  revision: string;
  file: string;
  /** Bytes of the file received so far (including bytes kept from an earlier attempt). */
  received: number;
  /** Size of the file when the server said (Content-Length / Content-Range), else undefined. */
  total: number | undefined;
  /** 0–100 when the total is known. */
  percent: number | undefined;
  /** Average rate of this attempt so far, bytes per second. */
  bytesPerSecond: number;
  /** True once this file is complete (the last event for it). */
  done: boolean;
  /** True when the bytes came from the cache, not the network. */
  fromCache: boolean;
}

export interface HubOptions {
  /** Hub address, default the public Hub. */
  endpoint?: string;
  /** Access token for gated or private repos (sent as a Bearer token). */
  token?: string;
  /** Cache; default Cache Storage when available, none otherwise. null turns caching off. */
  cache?: HubCache | null;
  /** fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** The most bytes a file may have, and why (ends the sentence "… is larger than N, WHY"). */
export interface SizeLimit {
  bytes: number;
  why: string;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /**
   * How many times to continue by itself after a broken transfer before reporting it
   * (default 0: report at once; a later call for the same file resumes).
   */
  autoResume?: number;
}

export interface FileOptions extends DownloadOptions {
  /** Stop the body past this many bytes (HubError 'too-large'); nothing is kept. */
  limit?: SizeLimit;
  /** Keep a 404 in the cache (default true); downloadModel keeps them once the model has loaded. */
  cacheMissing?: boolean;
  /**
   * Believe a 404 kept in the cache (default true). False asks again: for a file whose absence
   * ends a load (config.json), which a later push to the repo may fix.
   */
  trustCachedMissing?: boolean;
}
