"""What the panels' API modules share: references to people, agencies and records, input
checks that turn a service's ValidationError into DRF's 400 with field errors, and the
403 (logged) for a record the caller sees but may not change."""

from __future__ import annotations
