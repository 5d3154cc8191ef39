"""Reads of the report pages: the report jobs of the scope."""

from __future__ import annotations

from billing.models import ReportJob


def report_jobs(scope):
    """Report jobs about accounts in the scope (anyone sharing the scope may read them:
    a report is about the accounts, not private like an export file)."""
    return scope.visible(ReportJob.objects.all(), "tenant_path")


def report_job_or_404(scope, pk) -> ReportJob:
    return scope.get_or_404(report_jobs(scope), pk, "report")
