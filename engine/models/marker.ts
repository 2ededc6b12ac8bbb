/**
 * The slim marker in the weights as well as in config.json. `slim convert` writes the marker
 * (format and per-layer directions) into config.json and into the safetensors "__metadata__"
 * of every file it writes (string values, as the format requires), so the two travel with
 * what they describe: converted weights put next to the original config.json, or an
 * unconverted checkpoint given a config.json with a marker, would otherwise load and print
 * garbage (W_KV run as W_V, or W_V undone as W_KV). Loading refuses any disagreement and names
 * both files (a CheckpointFormatError on the weight file).
 */
import { CheckpointFormatError, type Checkpoint } from '../io';

// Nothing here imports load.ts (which calls checkSlimMarker): the marker comes in as data.
const CONFIG_FILE = 'config.json';

/** A slim marker: its format tag and one direction per layer ('k-cache' or 'v-cache'). */
export interface MarkerData {
  readonly format: string;
  readonly layers: readonly string[];
}

/** The "__metadata__" keys of the marker: the format tag and the directions, comma-separated. */
export const METADATA_FORMAT_KEY = 'slim_attention_format';
export const METADATA_LAYERS_KEY = 'slim_attention_layers';

/** The marker as "__metadata__" entries (string values). */
export function markerMetadata(marker: MarkerData): Record<string, string> {
  return { [METADATA_FORMAT_KEY]: marker.format, [METADATA_LAYERS_KEY]: marker.layers.join(',') };
}

/** The marker one safetensors file carries, undefined when it carries none. */
function weightsMarker(
  metadata: Readonly<Record<string, string>>,
  file: string,
  layers: number,
): MarkerData | undefined {
  const format = metadata[METADATA_FORMAT_KEY];
  const list = metadata[METADATA_LAYERS_KEY];
  if (format === undefined && list === undefined) return undefined;
  const fail = (problem: string): never => {
    throw new CheckpointFormatError(file, `the slim marker in "__metadata__" ${problem}`);
  };
  if (format === undefined || format === '')
    fail(`has ${METADATA_LAYERS_KEY} but no ${METADATA_FORMAT_KEY}.`);
  const directions = (list ?? '').split(',');
  if (directions.length !== layers || directions.some((d) => d !== 'k-cache' && d !== 'v-cache'))
    fail(
      `has ${METADATA_LAYERS_KEY} ${JSON.stringify(list)}; expected ${layers} directions ` +
        '("k-cache" or "v-cache") separated by commas.',
    );
  return { format: format as string, layers: directions };
}

const same = (a: MarkerData, b: MarkerData) =>
  a.format === b.format &&
  a.layers.length === b.layers.length &&
  a.layers.every((d, i) => d === b.layers[i]);

/** "layer 2 is k-cache in config.json but v-cache in model.safetensors" (the first difference). */
function difference(a: MarkerData, b: MarkerData, aFile: string, bFile: string): string {
  if (a.format !== b.format)
    return `the format is "${a.format}" in ${aFile} but "${b.format}" in ${bFile}`;
  const i = a.layers.findIndex((d, j) => d !== b.layers[j]);
  return `layer ${i} is ${a.layers[i]} in ${aFile} but ${b.layers[i]} in ${bFile}`;
}

/**
 * Refuses a checkpoint whose config.json and weights disagree on being slim: a marker in
 * config.json but not in every weight file, one in a weight file but not in config.json, or
 * different directions. Throws CheckpointFormatError naming both files.
 */
export function checkSlimMarker(
  spec: { readonly layers: number; readonly slim?: MarkerData },
  checkpoint: Checkpoint,
): void {
  const config = spec.slim;
  for (const file of checkpoint.files) {
    const weights = weightsMarker(checkpoint.metadataOf(file), file, spec.layers);
    if (config && !weights)
      throw new CheckpointFormatError(
        file,
        `${CONFIG_FILE} marks a slim checkpoint ("${config.format}") but ${file} carries no slim ` +
          `marker in its "__metadata__": these are not the weights 'slim convert' wrote with ` +
          `this ${CONFIG_FILE} (unconverted weights would run W_V as W_KV). Convert the ` +
          'original checkpoint again.',
      );
    if (!config && weights)
      throw new CheckpointFormatError(
        file,
        `the "__metadata__" of ${file} marks converted weights ("${weights.format}", ` +
          `${weights.layers.join(', ')}) but ${CONFIG_FILE} has no "slim_attention" marker: ` +
          `this ${CONFIG_FILE} is not the one 'slim convert' wrote with these weights (they ` +
          'would run W_KV as W_V). Use the converted config.json.',
      );
    if (config && weights && !same(config, weights))
      throw new CheckpointFormatError(
        file,
        `the slim markers of ${CONFIG_FILE} and ${file} disagree: ` +
          `${difference(config, weights, CONFIG_FILE, file)}. Convert the original checkpoint again.`,
      );
  }
}
