import type { Model } from '../../roofline/index';
import { SearchPicker, type PickerItem } from './SearchPicker';

export const CUSTOM_ID = 'custom';

function describe(m: Model): string {
  const parts = [`d ${m.d}`, `${m.layers} layers`, `h ${m.heads}`];
  if (m.kvHeads !== m.heads) parts.push(`h_kv ${m.kvHeads}`);
  parts.push(m.architecture === 'encoder-decoder' ? 'enc–dec' : m.attention);
  return parts.join(' · ');
}

/** Catalog model picker with search, plus a "custom" entry (typed numbers or config.json). */
export function ModelPicker({
  models,
  selectedId,
  onSelect,
}: {
  models: readonly Model[];
  selectedId: string;
  onSelect: (id: string) => void;
}) {
  const items: PickerItem[] = models.map((m) => ({ id: m.id, name: m.name, detail: describe(m) }));
  return (
    <SearchPicker
      label="Model"
      items={items}
      selectedId={selectedId}
      onSelect={onSelect}
      extraOptions={[{ id: CUSTOM_ID, name: 'Custom model…' }]}
      placeholder="Search models, e.g. llama, whisper, gqa"
    />
  );
}
