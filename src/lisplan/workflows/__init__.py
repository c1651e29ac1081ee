"""Cross-app workflows: what one app's change sets off in others (decision 0011)."""
