"""Static files for WhiteNoise, gzip-compressed only: Brotli at its highest level took minutes
for our 18 MB of static files on a busy two-core machine, every time `scripts/serve` started."""

from __future__ import annotations

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedStaticFilesStorage


class StaticFilesStorage(CompressedStaticFilesStorage):
    def create_compressor(self, **kwargs):
        kwargs["use_brotli"] = False
        return Compressor(**kwargs)
