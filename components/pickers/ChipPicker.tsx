import type { Chip } from '../../roofline/index';
import { formatBytes, formatCapacityAsSold } from '../format';
import { SearchPicker, type PickerItem } from './SearchPicker';
import { CUSTOM_ID } from './ModelPicker';

function describe(c: Chip): string {
  return `${formatBytes(c.memoryBandwidth)}/s · ${formatCapacityAsSold(c.memoryCapacity)}${c.paperTable3 ? ' · paper Table 3' : ''}`;
}

/** Catalog chip picker with search, plus a "custom" entry (peak, bandwidth, capacity). */
export function ChipPicker({
  chips,
  selectedId,
  onSelect,
}: {
  chips: readonly Chip[];
  selectedId: string;
  onSelect: (id: string) => void;
}) {
  const items: PickerItem[] = chips.map((c) => ({
    id: c.id,
    name: c.name,
    detail: `${c.vendor} ${c.kind} · ${describe(c)}`,
  }));
  return (
    <SearchPicker
      label="Chip"
      items={items}
      selectedId={selectedId}
      onSelect={onSelect}
      extraOptions={[{ id: CUSTOM_ID, name: 'Custom chip…' }]}
      placeholder="Search chips, e.g. h100, tpu, apple"
    />
  );
}
