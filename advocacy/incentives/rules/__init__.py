"""Points rules: what each network's share, click and engagement earn, the caps and streaks, in versions HR
sets; the reasons a ledger row can carry, in French and English."""
