"""Help, and a yes/no question for anything that would lose or replace the user's work."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static

from crm_tui.language import N_, _

HELP = N_("""\
**1** Data · **2** Segments · **3** Plan · **4** Evaluate · **5** Predict — **ctrl+p** finds
every action.

**Data**: type the orders file (the right arrow completes paths) and press enter. Optional
visitors and profiles files; *Mapping* takes overrides such as `amount=Paid`. You see which
column feeds which field, the rows dropped and why, the shop's totals and its repurchase ladder.

**Segments**: pick a scheme; enter on a segment lists its top customers. Change *as of*,
the tier thresholds, the lifecycle quantiles or fixed *Days* and press *Apply* to recompute.
With a plan open, the plan takes these settings: what you see is what it targets.

**Plan**: start from an objective or open a plan (its settings and as-of apply to every
tab). Edit a target's selector (`lifecycle = sleeping and purchases >= 2`), strategy,
channel, offer, contacts and costs;
arms as `control=0.2, treatment=0.8`. Audiences, MDE and budget update as you type.
**ctrl+s** saves the TOML; *Export assignment* writes who is in which arm.

**Evaluate**: open results (with the assignment for intent-to-treat) or the sample results.
The sample-ratio verdict comes first; rows marked * survive the multiple-testing adjustment
within their family (primary metrics, the others, each breakdown); capped money says so.
*Looks*: for a running campaign, the day of this look keeps daily looks from false alarms.

**Predict**: fit the customer-base models on the loaded orders (as of the Segments tab's day):
who is still a customer, expected purchases and CLV by decile, the most valuable customers at
risk. *Check to* a date also fits on the orders up to it and shows how well it ranked who
bought after.

**escape** leaves a text field or cancels running work · **q** quits (asks first if the plan
is unsaved) · the language and the theme are switched from the palette.""")


class HelpScreen(ModalScreen[None]):
    """How to use the app, and every command the palette has (titles and what they do)."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", N_("Close"))]

    def __init__(self, commands: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.commands = commands

    def compose(self) -> ComposeResult:
        palette = [f"- **{title}**: {help}" for title, help in self.commands]
        text = "\n".join(["# crm-tui", "", _(HELP), "", "## " + _("The command palette (ctrl+p)")])
        with Vertical(id="help-box"):
            # the text scrolls; the Close button stays on screen however short the terminal
            with VerticalScroll(id="help-text"):
                yield Markdown("\n".join([text, "", *palette]))
            yield Button(_("Close"), id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss()


class Confirm(ModalScreen[bool]):
    """A yes/no question; escape answers no. The safe answer has the focus when asked for."""

    BINDINGS = [Binding("escape", "dismiss(False)", N_("Cancel"))]

    def __init__(self, question: str, yes: str, no: str | None = None, safe_first: bool = True):
        super().__init__()
        self.question, self.yes, self.safe_first = question, yes, safe_first
        self.no = no or _("Cancel")

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question)
            with Horizontal():
                yield Button(self.yes, id="yes", variant="error")
                yield Button(self.no, id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no" if self.safe_first else "#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)
