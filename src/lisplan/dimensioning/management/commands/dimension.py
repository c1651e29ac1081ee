"""`lisplan dimension`: the dimensioning engine on files, or on lisplan's own data
(a thin wrapper over lisplan.dimensioning.engine and build)."""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from lisplan.dimensioning import engine
from lisplan.dimensioning.engine.generate import generate_input


class Command(BaseCommand):
    help = (
        "How many doctors to start per specialty and region (docs/dimensioning-format.md). "
        "IN.json → OUT.json; --from-database builds the input from lisplan; --write-input "
        "saves that input; --generate writes a synthetic input."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("input", nargs="?", help="input file (lisplan-dimensioning/1)")
        parser.add_argument("--output", help="result file to write ('-' for stdout)")
        parser.add_argument(
            "--draws",
            type=int,
            default=engine.DEFAULT_DRAWS,
            help=f"Monte Carlo draws (default {engine.DEFAULT_DRAWS}; 0 = off)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument(
            "--from-database",
            action="store_true",
            help="build the input from the loaded tables and the register",
        )
        parser.add_argument("--scenario", help="with --from-database: a scenario's name")
        parser.add_argument("--base-year", type=int)
        parser.add_argument("--target-year", type=int)
        parser.add_argument(
            "--write-input",
            metavar="FILE",
            help="with --from-database: also write the input document",
        )
        parser.add_argument(
            "--generate",
            action="store_true",
            help="write a synthetic input (46 specialties × 4 regions)",
        )
        parser.add_argument("--specialties", type=int, default=46)

    def handle(self, *args, **options):
        if options["generate"]:
            self._write(
                generate_input(options["specialties"], seed=options["seed"]),
                options["output"] or "-",
            )
            return
        if not options["output"]:
            raise CommandError("give --output OUT.json ('-' for stdout)")
        if options["from_database"]:
            if options["input"]:
                raise CommandError("give either IN.json or --from-database, not both")
            document = self._from_database(options)
        else:
            if not options["input"]:
                raise CommandError("give an IN.json (or --from-database)")
            try:
                with open(options["input"], encoding="utf-8") as f:
                    document = json.load(f)
            except (OSError, json.JSONDecodeError) as error:
                raise CommandError(f"cannot read {options['input']}: {error}") from error
        started = time.perf_counter()
        try:
            result = engine.run(document, draws=options["draws"], seed=options["seed"])
        except engine.InvalidInput as error:
            lines = "\n".join(f"  {e['field']}: {e['message']}" for e in error.errors[:50])
            raise CommandError(f"the input is not valid:\n{lines}") from error
        seconds = time.perf_counter() - started
        self._write(result, options["output"])
        cells = len(result["required_intake"])
        total = sum(r["per_year"] or 0 for r in result["required_intake"])
        today = sum(r["current_per_year"] or 0 for r in result["required_intake"])
        err = self.stderr if options["output"] == "-" else self.stdout
        err.write(
            f"{cells} specialty/region pairs, {result['base_year']}–"
            f"{result['target_year']}, {result['draws']} draws, {seconds:.1f} s: "
            f"required intake {total:.1f} a year (today {today:.1f}); "
            f"stock-flow closes: {'yes' if result['checks']['closed'] else 'NO'}"
        )
        for w in result["warnings"]:
            err.write(f"warning: {w['message']}")

    def _from_database(self, options) -> dict:
        from lisplan.dimensioning.build import build_input
        from lisplan.dimensioning.models import Scenario

        params = {}
        if options["scenario"]:
            scenario = Scenario.objects.filter(name=options["scenario"]).first()
            if scenario is None:
                raise CommandError(f"no scenario named {options['scenario']!r}")
            params = scenario.current.params
        built = build_input(params, options["base_year"], options["target_year"])
        for note in built.notes:
            self.stdout.write(f"note: {note}")
        if options["write_input"]:
            self._write(built.document, options["write_input"])
        return built.document

    def _write(self, document: dict, path: str) -> None:
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if path == "-":
            sys.stdout.write(text + "\n")
            return
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from error
