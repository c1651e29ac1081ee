"""`lisplan allocate`: the allocation engine on files (a thin wrapper over lisplan.allocation)."""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from lisplan.allocation.baseline import queue_baseline
from lisplan.allocation.engine import solve
from lisplan.allocation.generate import generate
from lisplan.allocation.metrics import check_queue_weight
from lisplan.allocation.parse import InvalidFile, load_instance, read_json
from lisplan.allocation.priority import priority_order
from lisplan.allocation.result import parse_result
from lisplan.allocation.validate import violations

ROWS = [
    ("assigned", "assigned", "{}"),
    ("unassigned", "unassigned", "{}"),
    ("total wait (months)", "total_wait_months", "{}"),
    ("mean wait", "mean_wait_months", "{:.2f}"),
    ("p95 wait", "p95_wait_months", "{}"),
    ("max wait", "max_wait_months", "{}"),
    ("within 3 months", "share_within_3_months", "{:.1%}"),
    ("utilisation", "utilisation", "{:.1%}"),
]


class Command(BaseCommand):
    help = (
        "Propose who starts which period where and when (allocation-format.md). "
        "Also: --validate a result, --generate a benchmark instance."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("instance", nargs="?", help="instance file (lisplan-allocation/1)")
        parser.add_argument("--output", help="result file to write ('-' for stdout)")
        parser.add_argument("--time-limit", type=float, default=60.0, help="seconds (60)")
        parser.add_argument("--max-delay", type=int, help="override policy.max_delay_months")
        parser.add_argument(
            "--queue-weight",
            type=float,
            help="weight of the queue order in the objective, 0-1 (the "
            "region's policy; default 0.01, decision 0004)",
        )
        parser.add_argument("--validate", metavar="RESULT", help="check a result file")
        parser.add_argument(
            "--instance",
            dest="instance_option",
            metavar="INSTANCE",
            help="the instance a --validate'd result belongs to",
        )
        parser.add_argument(
            "--generate", action="store_true", help="write a random instance to stdout"
        )
        parser.add_argument("--trainees", type=int, default=2500)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--regions", type=int, choices=[1, 2, 3, 4])
        parser.add_argument(
            "--capacity-scale",
            type=float,
            default=1.0,
            help="multiply every generated capacity (load levels: 0.7, 1.3)",
        )

    def handle(self, *args, **options):
        if options["generate"]:
            return self.generate(options)
        instance_path = options["instance"] or options["instance_option"]
        if not instance_path:
            raise CommandError("give an INSTANCE.json (or --generate)")
        try:
            inst = load_instance(instance_path)
            if options["max_delay"] is not None:
                inst.max_delay_months = options["max_delay"]
            if options["validate"]:
                return self.validate(inst, options["validate"])
            if not options["output"]:
                raise CommandError("--output RESULT.json is required ('-' for stdout)")
            if options["queue_weight"] is not None:
                try:
                    check_queue_weight(options["queue_weight"])
                except ValueError as exc:
                    raise CommandError(f"--queue-weight: {exc}") from exc
            self.solve(inst, options)
        except InvalidFile as exc:
            raise CommandError("invalid file:\n  " + "\n  ".join(map(str, exc.errors))) from exc

    def generate(self, options):
        document = generate(
            options["trainees"],
            options["seed"],
            options["regions"],
            options["max_delay"] or 0,
            capacity_scale=options["capacity_scale"],
        )
        json.dump(document, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")

    def solve(self, inst, options):
        began = time.monotonic()
        report = self.stderr if options["output"] == "-" else self.stdout

        def say(fraction: float, message: str) -> None:
            self.stderr.write(f"[{time.monotonic() - began:6.1f} s {fraction:4.0%}] {message}")

        result = solve(
            inst,
            time_limit=options["time_limit"],
            progress=say,
            queue_weight=options["queue_weight"],
        )
        document = result.document()
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if options["output"] == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text + "\n")
        report.write(summary(document))

    def validate(self, inst, result_path):
        try:
            plan, reported = parse_result(read_json(result_path))
        except InvalidFile as exc:
            raise CommandError("invalid result:\n  " + "\n  ".join(map(str, exc.errors))) from exc
        order = priority_order(inst)
        found = violations(inst, plan, queue_baseline(inst, order), reported or set(), order)
        for violation in found:
            self.stdout.write(str(violation))
        if found:
            raise CommandError(f"{len(found)} violation(s) of the hard rules or the guard")
        self.stdout.write(
            f"valid: {len(plan.assignments)} assigned, "
            f"{len(plan.unassigned)} unassigned, all hard rules and the guard hold"
        )


def summary(document: dict) -> str:
    base, best = document["baseline_metrics"], document["metrics"]
    lines = [f"{'':22}{'baseline':>12}{'optimised':>12}"]
    for label, key, fmt in ROWS:
        lines.append(f"{label:22}{fmt.format(base[key]):>12}{fmt.format(best[key]):>12}")
    objective = document["objective"]
    lines.append(f"{'objective':22}{objective['baseline']:>12.1f}{objective['optimised']:>12.1f}")
    for label, key in [
        ("LP relaxation bound", "lp_relaxation"),
        ("strengthened LP bound", "strengthened_lp"),
        ("root node bound", "root_node"),
        ("best bound", "objective"),
    ]:
        bound = document["lower_bound"].get(key)
        lines.append(f"{label:22}{'':>12}{'none' if bound is None else f'{bound:.1f}':>12}")
    gap = document["gap"]
    wait = document["lower_bound"]["total_wait_months"]
    lines.append(f"{'total wait bound':22}{'':>12}{'none' if wait is None else f'{wait:.0f}':>12}")
    lines.append(f"{'gap':22}{'':>12}{'-' if gap is None else f'{gap:.2%}':>12}")
    lines.append(f"{'priority inversions':22}{'':>12}{len(document['priority_inversions']):>12}")
    lines.append(f"{'solve seconds':22}{'':>12}{document['solve_seconds']:>12.1f}")
    lines.append(f"{'solver':22}{document['source']} plan, {document['solver_status']}")
    return "\n".join(lines)
