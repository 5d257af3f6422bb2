/**
 * The chart theme, taken from JupyterLab's current theme: light or dark from the body's
 * `data-jp-theme-light`, colours and font from its CSS variables (the theme's, never the output's).
 */
import type { ChartTheme } from 'trainbook/core';

function cssVariable(name: string): string | undefined {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value === '' ? undefined : value;
}

export function isDarkTheme(): boolean {
  return document.body.dataset.jpThemeLight === 'false';
}

export function currentChartTheme(): ChartTheme {
  return {
    dark: isDarkTheme(),
    font: cssVariable('--jp-ui-font-family'),
    foreground: cssVariable('--jp-ui-font-color1'),
    grid: cssVariable('--jp-border-color2'),
  };
}

/**
 * Calls `onChange` when JupyterLab switches between light and dark themes; returns the
 * function that stops watching.
 */
export function watchTheme(onChange: () => void): () => void {
  let dark = isDarkTheme();
  let name = document.body.dataset.jpThemeName;
  const observer = new MutationObserver(() => {
    const nowDark = isDarkTheme();
    const nowName = document.body.dataset.jpThemeName;
    if (nowDark === dark && nowName === name) return;
    dark = nowDark;
    name = nowName;
    onChange();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name'] });
  return () => observer.disconnect();
}
