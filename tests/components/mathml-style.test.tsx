import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Tex } from '../../components/Tex';

// About KaTeX's own MathML: the real <Tex>, not the setup's stand-in.
vi.unmock('../../components/Tex');

describe('component tests and KaTeX MathML (tests/components/setup.ts)', () => {
  it('a failing role query next to a formula reports what it could not find', () => {
    render(<Tex>{'k_j = x_j W_K'}</Tex>);
    const math = document.querySelector('math');
    expect(math?.namespaceURI).toBe('http://www.w3.org/1998/Math/MathML');
    // jsdom alone throws a TypeError here; the setup gives MathML its host span's style.
    expect(getComputedStyle(math!).display).toBe(getComputedStyle(math!.parentElement!).display);
    expect(() => screen.getByRole('button', { name: 'Reveal the answer' })).toThrow(
      'Unable to find an accessible element with the role "button" and name "Reveal the answer"',
    );
  });
});
