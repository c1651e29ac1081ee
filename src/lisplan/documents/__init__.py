"""What the signed, versioned documents (`plans`, `iup`) share, and their stored PDFs."""
