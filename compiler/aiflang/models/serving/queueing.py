"""Waiting time in a queue of prefills: the mean and a quantile, for c identical servers.

Requests arrive as a Poisson stream (the MLPerf server scenario's
arrival process; also the standard assumption of DistServe,
arXiv:2401.09670, section 3.2) at rate lambda; a server takes S seconds
per request with squared coefficient of variation Cs^2 (0 for prompts of
one length). With c servers and offered load a = lambda x S, utilisation
rho = a / c:

- mean wait, Allen-Cunneen approximation: W = C(c, a) x S / (c (1 - rho)) x
  (Ca^2 + Cs^2) / 2, with C(c, a) the Erlang C probability of waiting and
  Ca^2 = 1 (Poisson). For c = 1 this is the Pollaczek-Khinchine formula
  rho x S x (1 + Cs^2) / (2 (1 - rho)), exact for M/G/1.
- quantiles: the wait is 0 with probability 1 - C and, when positive,
  taken as exponential with mean W / C (exact for M/M/c, the usual
  heavy-traffic approximation otherwise, after Kingman 1961): the
  q-quantile is (W / C) x ln(C / (1 - q)) when C > 1 - q, else 0.
- at rho >= 1 the queue grows without bound: every figure is infinite. A
  load within rounding of the capacity (rho > 1 - 1e-9) counts as rho = 1:
  a replica at its batch limit is offered exactly what its slots serve, and
  float rounding must not turn that into a finite wait of 10^14 seconds.
"""

from __future__ import annotations

import math

from aiflang.records import record

_CRITICAL = 1e-9  # a utilisation this close to 1 is a full queue, not a rounding error's wait
_EXACT_SERVERS = 200  # above this, Erlang B from the Poisson distribution's normal approximation


def erlang_b(servers: int, offered: float) -> float:
    """Erlang B blocking probability: the stable recurrence up to 200 servers, beyond it the
    Poisson form pmf(c) / cdf(c) at mean `offered`, the cdf by its normal approximation
    (continuity-corrected), so a queue of 100,000 batch slots costs what one of 10 does."""
    if servers <= _EXACT_SERVERS:
        blocking = 1.0
        for k in range(1, servers + 1):
            blocking = offered * blocking / (k + offered * blocking)
        return blocking
    log_pmf = servers * math.log(offered) - offered - math.lgamma(servers + 1)
    z = (servers + 0.5 - offered) / math.sqrt(offered)
    cdf = 0.5 * math.erfc(-z / math.sqrt(2.0))
    if cdf <= 0.0:
        return 1.0
    return min(1.0, math.exp(log_pmf) / cdf)


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits, M/M/c with offered load `offered` (Erlangs)."""
    if servers < 1:
        raise ValueError("a queue needs at least one server")
    if offered <= 0:
        return 0.0
    rho = offered / servers
    if rho >= 1:
        return 1.0
    # C = B / (1 - rho (1 - B))
    blocking = erlang_b(servers, offered)
    return blocking / (1.0 - rho * (1.0 - blocking))


@record
class Wait:
    """The queueing delay before a prefill starts, seconds."""

    utilisation: float
    probability: float  # of waiting at all
    mean_s: float

    def quantile(self, q: float) -> float:
        """The q-quantile of the wait (0 < q < 1); infinite when the queue is unstable."""
        if not 0 < q < 1:
            raise ValueError("a quantile lies strictly between 0 and 1")
        if math.isinf(self.mean_s):
            return math.inf
        if self.probability <= 1.0 - q or self.mean_s <= 0:
            return 0.0
        return self.mean_s / self.probability * math.log(self.probability / (1.0 - q))


def wait(rate: float, service_s: float, servers: int = 1, service_scv: float = 0.0) -> Wait:
    """The wait for `servers` servers of `service_s` each at `rate` requests/s (see above)."""
    if rate < 0 or service_s < 0:
        raise ValueError("rates and service times are not negative")
    offered = rate * service_s
    rho = offered / servers
    if rho >= 1.0 - _CRITICAL:
        return Wait(utilisation=rho, probability=1.0, mean_s=math.inf)
    probability = erlang_c(servers, offered)
    if probability == 0.0:
        return Wait(utilisation=rho, probability=0.0, mean_s=0.0)
    mean = probability * service_s / (servers * (1.0 - rho)) * (1.0 + service_scv) / 2.0
    return Wait(utilisation=rho, probability=probability, mean_s=mean)


def quantile_after_cycle(q: float, cycle_s: float, waits: tuple[Wait, ...]) -> float:
    """The q-quantile of a wait uniform over `cycle_s` plus the `waits` that follow it.

    The waits are taken together as one wait of their summed mean, positive
    with the probability that any of them is (independent), and then
    exponential (as `Wait.quantile` takes each); the uniform part is
    convolved exactly: P(U + W <= x) = (1/c) x integral over u in [0,
    min(x, c)] of P(W <= x - u) = (min(x, c) - p m (e^(-(x - min(x, c)) / m)
    - e^(-x / m))) / c, with p the probability of waiting and m its mean
    when positive, solved for x by bisection. Adding the parts' quantiles
    instead would count a bad draw of each at once.
    """
    if not 0 < q < 1:
        raise ValueError("a quantile lies strictly between 0 and 1")
    mean = sum(w.mean_s for w in waits)
    if math.isinf(mean):
        return math.inf
    idle = 1.0
    for w in waits:
        idle *= 1.0 - w.probability
    probability = 1.0 - idle
    if cycle_s <= 0:
        return Wait(0.0, probability, mean).quantile(q)
    if probability <= 0 or mean <= 0:
        return q * cycle_s
    scale = mean / probability  # the wait's mean when there is one

    def below(x: float) -> float:
        inside = min(x, cycle_s)
        tail = math.exp(-(x - inside) / scale) - math.exp(-x / scale)
        return (inside - probability * scale * tail) / cycle_s

    low, high = q * cycle_s, cycle_s + Wait(0.0, probability, mean).quantile(q)
    for _ in range(40):  # the bracket shrinks to a trillionth of itself
        middle = (low + high) / 2.0
        if below(middle) < q:
            low = middle
        else:
            high = middle
    return high
