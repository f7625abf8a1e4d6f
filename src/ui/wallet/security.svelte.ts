/**
 * @module What the wallet view knows about the wallet's passphrase (`wallet.hasPassphrase()`,
 * kept up to date by this tab's own changes). Kept for the page's life, so it survives moving
 * between views.
 */
class SecurityState {
  /** Whether the wallet's phrase is sealed under a passphrase; null when not known yet. */
  hasPassphrase = $state<boolean | null>(null);
}

export const security = new SecurityState();
