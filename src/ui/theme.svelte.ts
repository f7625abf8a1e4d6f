/**
 * @module Light, dark, or whatever the system prefers. The choice is saved and applied as
 * `data-theme` on <html>; theme.css holds the colours of each.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'tabchain-theme';
const THEME_COLORS = { light: '#f8fafc', dark: '#0f172a' } as const;

function saved(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

function systemPrefersLight(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches;
}

class Theme {
  choice = $state<ThemeChoice>(saved());
  /** The theme in effect (the system's when the choice is 'system'). */
  effective = $state<'light' | 'dark'>('dark');

  constructor() {
    this.apply();
    if (typeof matchMedia === 'function') {
      matchMedia('(prefers-color-scheme: light)').addEventListener('change', () => this.apply());
    }
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // Not saved: the choice lasts for this page.
    }
    this.apply();
  }

  private apply(): void {
    this.effective = this.choice === 'system' ? (systemPrefersLight() ? 'light' : 'dark') : this.choice;
    if (typeof document === 'undefined') return;
    document.documentElement.dataset.theme = this.effective;
    document.querySelector('meta[name="theme-color"]')?.setAttribute('content', THEME_COLORS[this.effective]);
  }
}

export const theme = new Theme();
