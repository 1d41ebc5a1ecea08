import { useEffect, useState } from 'preact/hooks';

const query = matchMedia('(prefers-color-scheme: dark)');

/** Dark or light, as the OS says, updated when it changes. */
export function useDarkMode(): boolean {
  const [dark, setDark] = useState(query.matches);
  useEffect(() => {
    const onChange = () => setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return dark;
}

/** Series colours readable on both themes (Okabe-Ito, colour-blind safe). */
export const SERIES_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#CC79A7',
  '#56B4E9',
  '#F0E442',
  '#999999',
];
