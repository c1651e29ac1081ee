"""What the signed, versioned documents (`plans`, `iup`) share. Not an app: no models."""
