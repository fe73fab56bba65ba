"""Legitimate histories never raise an alarm (research B.10 T2b): a hypothesis state machine
adds, notes, tags, deletes, journals, changes the passphrase, repairs and reopens the vault,
and after every step ``verify --read-data`` must find it clean and the model must match."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from recours.adapters.vault_store import Vault
from recours.services import vault as svc
from tests.vault_helpers import PASSPHRASE, factory, new_vault, tick


class VaultHistory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="recours-history-"))
        self.vault: Vault
        self.vault, _ = new_vault(self.folder / "coffre")
        self.passphrase = PASSPHRASE
        self.model: dict[str, tuple[str, list[str]]] = {}  # id → (sha256, tags)
        self.step = 0

    def teardown(self) -> None:
        self.vault.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _now(self):  # type: ignore[no-untyped-def]
        self.step += 1
        return tick(self.step)

    @rule(
        content=st.binary(max_size=70_000),
        tags=st.lists(st.sampled_from(["instagram", "@kev", "menace"]), max_size=2),
    )
    def add(self, content: bytes, tags: list[str]) -> None:
        added = svc.add_stream(
            self.vault, io.BytesIO(content), kind="file", name="f", now=self._now(), tags=tags
        )
        self.model[added.record.id] = (added.record.sha256, added.tags)

    @rule(text=st.text(min_size=1, max_size=200).filter(str.strip))
    def note(self, text: str) -> None:
        added = svc.add_note(self.vault, text, self._now())
        self.model[added.record.id] = (added.record.sha256, [])

    @precondition(lambda self: self.model)
    @rule(data=st.data(), tags=st.lists(st.sampled_from(["snapchat", "harcèlement"]), max_size=2))
    def retag(self, data: st.DataObject, tags: list[str]) -> None:
        item = data.draw(st.sampled_from(sorted(self.model)))
        clean = svc.set_tags(self.vault, item, tags, self._now())
        self.model[item] = (self.model[item][0], clean)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        item = data.draw(st.sampled_from(sorted(self.model)))
        svc.delete_item(self.vault, item, self._now())
        del self.model[item]

    @rule(data=st.data())
    def journal(self, data: st.DataObject) -> None:
        items = data.draw(st.lists(st.sampled_from(sorted(self.model)), max_size=2)) if self.model else []
        svc.add_incident(
            self.vault, self._now(), occurred_at=tick(-self.step), description="fait", items=items
        )

    @rule()
    def change_passphrase(self) -> None:
        new = self.passphrase + "!"
        svc.change_passphrase(self.vault, self.passphrase, new, self._now())
        self.passphrase = new

    @rule()
    def reopen(self) -> None:
        self.vault.close()
        reopened = factory().open(self.folder / "coffre", self.passphrase)
        assert isinstance(reopened, Vault)
        self.vault = reopened

    @rule()
    def repair(self) -> None:
        assert svc.repair(self.vault) == 0

    @invariant()
    def verifies_clean_and_matches_the_model(self) -> None:
        report = svc.verify(self.vault, read_data=True)
        assert report.clean, [p.fr for p in report.problems]
        assert report.notices == []
        listed = {v.record.id: (v.record.sha256, v.item.tags) for v in svc.list_items(self.vault)}
        assert listed == self.model


TestVaultHistories = VaultHistory.TestCase
TestVaultHistories.settings = settings(max_examples=100, stateful_step_count=12, deadline=None)


@pytest.mark.deep
def test_a_thousand_histories() -> None:
    run = VaultHistory.TestCase
    run.settings = settings(max_examples=1000, stateful_step_count=25, deadline=None)
    run().runTest()
