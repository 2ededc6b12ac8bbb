import { useId, useMemo, useState } from 'react';

/** One choice of a picker: a stable id, the shown name, and optional words that also match. */
export interface PickerItem {
  id: string;
  name: string;
  /** Extra text searched and shown after the name (e.g. "d 4096 · 32 layers"). */
  detail?: string;
}

export interface SearchPickerProps<T extends PickerItem> {
  label: string;
  items: readonly T[];
  selectedId: string;
  onSelect: (id: string) => void;
  /** Extra fixed choices listed first and never filtered out (e.g. "Custom…"). */
  extraOptions?: readonly PickerItem[];
  placeholder?: string;
}

/** Case-insensitive match of every search word against the name, id and detail. */
export function matchesSearch(item: PickerItem, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = `${item.name} ${item.id} ${item.detail ?? ''}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/**
 * A search box over a native select: the select keeps keyboard and screen-reader behaviour for
 * free, the search box narrows long catalogs. The selected item always stays listed so the select
 * never shows a value that is not one of its options.
 */
export function SearchPicker<T extends PickerItem>({
  label,
  items,
  selectedId,
  onSelect,
  extraOptions = [],
  placeholder = 'Search…',
}: SearchPickerProps<T>) {
  const [query, setQuery] = useState('');
  const id = useId();
  const shown = useMemo(
    () => items.filter((item) => item.id === selectedId || matchesSearch(item, query)),
    [items, query, selectedId],
  );
  const selected = items.find((item) => item.id === selectedId);
  const hits = shown.filter((item) => item.id !== selectedId || matchesSearch(item, query)).length;

  return (
    <div className="search-picker">
      <label htmlFor={`${id}-select`}>{label}</label>
      <input
        type="search"
        aria-label={`Search ${label.toLowerCase()}`}
        placeholder={placeholder}
        value={query}
        onChange={(e) => {
          const next = e.target.value;
          setQuery(next);
          // Jump to the first hit so that typing a name and pressing nothing else selects it.
          const first = items.find((item) => matchesSearch(item, next));
          if (next.trim() !== '' && first) onSelect(first.id);
        }}
      />
      <select id={`${id}-select`} value={selectedId} onChange={(e) => onSelect(e.target.value)}>
        {extraOptions.map((item) => (
          <option key={item.id} value={item.id}>
            {item.name}
          </option>
        ))}
        {shown.map((item) => (
          <option key={item.id} value={item.id} title={item.detail}>
            {item.name}
          </option>
        ))}
      </select>
      {selected?.detail && <span className="small picker-detail">{selected.detail}</span>}
      {query.trim() !== '' && (
        <span className="small" aria-live="polite">
          {hits === 0 ? `No match for “${query}”` : `${hits} match${hits === 1 ? '' : 'es'}`}
        </span>
      )}
    </div>
  );
}
