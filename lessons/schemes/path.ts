/** The address of the "Schemes at a glance" page (app/routes.tsx routes it under /lessons). */
export const SCHEMES_PATH = '/lessons/schemes';
