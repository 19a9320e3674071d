"""Data lifecycle: retention, GDPR erasure and export, backups and restores (docs/privacy.md)."""

from chatlytics.lifecycle.archive import RestoreRefused, backup, restore
from chatlytics.lifecycle.commands import register
from chatlytics.lifecycle.erase import Erasure, erase_user, erasure_matches
from chatlytics.lifecycle.export import export_user
from chatlytics.lifecycle.retention import RetentionReport, retention_loop, run_retention
from chatlytics.lifecycle.routes import router

__all__ = [
    "Erasure",
    "RestoreRefused",
    "RetentionReport",
    "backup",
    "erase_user",
    "erasure_matches",
    "export_user",
    "register",
    "restore",
    "retention_loop",
    "router",
    "run_retention",
]
