import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';
import { lessons } from '../../lessons/registry';

afterEach(() => cleanup());

// Lesson bodies are loaded on demand in the app; load them all once so tests render them at once.
await Promise.all(lessons.map((l) => l.component.preload()));
