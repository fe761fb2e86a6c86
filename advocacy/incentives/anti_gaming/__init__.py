"""Anti-gaming: shares whose clicks look gamed are flagged and their click points held until HR decides."""
