"""Modal screens: help and the unsaved-plan question on quit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static

HELP = """\
# crm-tui

**1** Data · **2** Segments · **3** Plan · **4** Evaluate — **ctrl+p** finds every action.

**Data**: type the orders file (tab completes paths) and press enter. Optional visitors and
profiles files; *Mapping* takes overrides such as `amount=Paid`. You see which column feeds
which field, the rows dropped and why, the shop's totals and its repurchase ladder.

**Segments**: pick a scheme; enter on a segment lists its top customers. Change *as of*,
the lifecycle quantiles or the tier thresholds and press *Apply* to recompute.

**Plan**: start from an objective or open a plan. Edit a target's selector
(`lifecycle = sleeping and purchases >= 2`), strategy, channel, offer, contacts and costs;
arms as `control=0.2, treatment=0.8`. Audiences, MDE and budget update as you type.
**ctrl+s** saves the TOML; *Export assignment* writes who is in which arm.

**Evaluate**: open results (with the assignment for intent-to-treat) or the sample results.
The sample-ratio verdict comes first; rows marked significant survive the multiple-testing
adjustment.

**escape** cancels running work · **q** quits (asks first if the plan is unsaved).
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Markdown(HELP)
            yield Button("Close", id="close", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss()


class ConfirmQuit(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "dismiss(False)", "Stay")]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static("The plan has unsaved changes. Quit anyway?")
            with Horizontal():
                yield Button("Quit", id="quit", variant="error")
                yield Button("Stay", id="stay", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")
