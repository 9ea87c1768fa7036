"""The one-shot deterrence game with Russian types, and Bayes' rule for the coalition's belief.

Russia's resolve is private information (Harsanyi, "Games with incomplete
information played by 'Bayesian' players", *Management Science* 14,
1967–68; on private information about resolve, Fearon, "Rationalist
explanations for war", *International Organization* 49, 1995; deterrence with
types after Zagare & Kilgour, *Perfect Deterrence*, 2000).  Russia is
**resolute** (prior probability ``μ``) -- it targets a deployed force -- or
**bluffing** -- it accepts one.  The coalition moves first (deploy / stay
out), then Russia replies according to its type.

With the coalition's payoffs ``a`` at (deploy, accept), ``t`` at (deploy,
target) and ``o`` for staying out, sequential rationality makes each type play
its best reply, and the coalition deploys iff ``(1 − μ) a + μ t ≥ o``.  In the
perfect Bayesian equilibrium (Fudenberg & Tirole, "Perfect Bayesian
equilibrium and sequential equilibrium", *Journal of Economic Theory* 53,
1991; *Game Theory*, 1991, ch. 8) the coalition's belief at its move is the
prior -- or the posterior after the signals it has seen, by Bayes' rule -- so
it deploys iff its belief is at most

    μ* = (a − o) / (a − t)                              (:func:`deterrence_threshold`)

``μ* < 0`` means it never deploys, ``μ* ≥ 1`` that it deploys whatever it
believes.  :func:`update_belief` applies Bayes' rule to a daily signal whose
probability depends on the type.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DeterrencePBE",
    "coalition_deploys",
    "deterrence_pbe",
    "deterrence_threshold",
    "entry_value",
    "update_belief",
]


def deterrence_threshold(
    deploy_accept: np.ndarray | float,
    deploy_target: np.ndarray | float,
    stay_out: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The belief ``μ*`` in Russia's resolve above which the coalition stays out.

    ``(a − o) / (a − t)``, not clipped; where ``a == t`` the belief does not
    matter: ``+inf`` (always deploys) if ``a ≥ o``, else ``−inf`` (never).
    """
    a = np.asarray(deploy_accept, dtype=float)
    t = np.asarray(deploy_target, dtype=float)
    o = np.asarray(stay_out, dtype=float)
    spread = a - t
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a - o) / spread
    flat = np.where(a >= o, np.inf, -np.inf)
    # spread < 0 (targeting better for the coalition than acceptance) does not arise
    # from the model's tables; the formula is still the indifference point, but the
    # coalition then deploys iff μ ≥ ratio -- callers that need it use coalition_deploys.
    return np.where(spread == 0, flat, ratio)


def entry_value(
    belief: np.ndarray | float,
    deploy_accept: np.ndarray | float,
    deploy_target: np.ndarray | float,
) -> np.ndarray:
    """What entering gains the coalition over staying out, at belief ``μ``:
    ``(1 − μ) a + μ t``, with ``a`` and ``t`` each relative to staying out
    (written ``a + μ (t − a)``: exact when ``a == t``)."""
    mu = np.asarray(belief, dtype=float)
    a = np.asarray(deploy_accept, dtype=float)
    return a + mu * (np.asarray(deploy_target, dtype=float) - a)


def coalition_deploys(
    belief: np.ndarray | float,
    deploy_accept: np.ndarray | float,
    deploy_target: np.ndarray | float,
    stay_out: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Whether deploying pays at least as much as staying out: ``(1 − μ) a + μ t ≥ o``."""
    mu = np.asarray(belief, dtype=float)
    a = np.asarray(deploy_accept, dtype=float)
    # (1 − μ) a + μ t − o written as (a − o) + μ (t − a): exact when a == t.
    return (a - np.asarray(stay_out, float)) + mu * (np.asarray(deploy_target, float) - a) >= 0


@dataclass(frozen=True)
class DeterrencePBE:
    """The perfect Bayesian equilibrium of one deterrence game with types."""

    prior: float
    threshold: float
    coalition_deploys: bool
    resolute_reply: str
    bluffing_reply: str
    coalition_expected_payoff: float
    deterrence_succeeds: bool


def deterrence_pbe(
    deploy_accept: float, deploy_target: float, prior: float, stay_out: float = 0.0
) -> DeterrencePBE:
    """Solve the one-shot game: the coalition's move at belief ``prior``, each type's reply."""
    deploys = bool(coalition_deploys(prior, deploy_accept, deploy_target, stay_out))
    deploy_value = (1.0 - prior) * deploy_accept + prior * deploy_target
    return DeterrencePBE(
        prior=float(prior),
        threshold=float(deterrence_threshold(deploy_accept, deploy_target, stay_out)),
        coalition_deploys=deploys,
        resolute_reply="target",
        bluffing_reply="accept",
        coalition_expected_payoff=float(max(deploy_value, stay_out)),
        deterrence_succeeds=not deploys,
    )


def update_belief(
    belief: np.ndarray,
    observed: np.ndarray,
    likelihood_resolute: np.ndarray | float,
    likelihood_bluffing: np.ndarray | float,
) -> np.ndarray:
    """Bayes' rule for one day's signal, in every run at once.

    ``observed``: whether the signal was seen; the likelihoods are its daily
    probability under each type.  The posterior is ``μ L_R / (μ L_R + (1 − μ) L_B)``
    with ``L`` the probability of what was observed (``1 − L`` for a quiet day).
    What is impossible under both types (0/0) leaves the belief unchanged, and so
    beliefs of exactly 0 or 1 never move.
    """
    mu = np.asarray(belief, dtype=float)
    seen = np.asarray(observed, dtype=bool)
    h_r = np.asarray(likelihood_resolute, dtype=float)
    h_b = np.asarray(likelihood_bluffing, dtype=float)
    resolute = mu * np.where(seen, h_r, 1.0 - h_r)
    bluffing = (1.0 - mu) * np.where(seen, h_b, 1.0 - h_b)
    total = resolute + bluffing
    with np.errstate(divide="ignore", invalid="ignore"):
        posterior = resolute / total
    return np.where(total > 0, posterior, mu)
