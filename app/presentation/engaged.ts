import { useEffect, useRef, type RefObject } from 'react';
import { isSlider } from './steps';

/** A pointer that moves farther than this (px) between down and up dragged the slider. */
const DRAG_PX = 4;

function focusVisible(el: Element): boolean {
  try {
    return el.matches(':focus-visible');
  } catch {
    return true; // a selector engine without :focus-visible: focus not from a pointer
  }
}

/**
 * The slider the presenter engaged on purpose, for keyAction: one being dragged, one clicked
 * without dragging, or one reached with Tab. A drag that ends leaves the slider focused but not
 * engaged, so a remote's → moves the deck again; leaving the slider (blur, Escape) ends it.
 */
export function useEngagedSlider(): RefObject<Element | null> {
  const engaged = useRef<Element | null>(null);
  useEffect(() => {
    let down: { el: Element; x: number; y: number; dragged: boolean } | null = null;
    const onDown = (e: PointerEvent) => {
      const el = isSlider(e.target) ? e.target : null;
      down = el ? { el, x: e.clientX, y: e.clientY, dragged: false } : null;
      if (el) engaged.current = el;
    };
    const onMove = (e: PointerEvent) => {
      if (down && Math.hypot(e.clientX - down.x, e.clientY - down.y) > DRAG_PX) down.dragged = true;
    };
    const onUp = () => {
      if (down?.dragged && engaged.current === down.el) engaged.current = null;
      down = null;
    };
    const onFocus = (e: FocusEvent) => {
      const el = e.target as Element;
      // Focus from the keyboard (Tab): the presenter chose this slider.
      if (isSlider(el) && down?.el !== el && focusVisible(el)) engaged.current = el;
    };
    const onBlur = (e: FocusEvent) => {
      if (engaged.current === e.target) engaged.current = null;
    };
    window.addEventListener('pointerdown', onDown, true);
    window.addEventListener('pointermove', onMove, true);
    window.addEventListener('pointerup', onUp, true);
    window.addEventListener('pointercancel', onUp, true);
    window.addEventListener('focusin', onFocus, true);
    window.addEventListener('focusout', onBlur, true);
    return () => {
      window.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('pointermove', onMove, true);
      window.removeEventListener('pointerup', onUp, true);
      window.removeEventListener('pointercancel', onUp, true);
      window.removeEventListener('focusin', onFocus, true);
      window.removeEventListener('focusout', onBlur, true);
    };
  }, []);
  return engaged;
}
