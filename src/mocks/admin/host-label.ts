/** How the admin API names host instances (`primary`, `backup`, …): `?host=` and metric labels. */
export const LABEL = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$';
