"""Every writer of a guest profile at once on a running stack
(``tests.support.stack``), and what the database says afterwards.

Shared by ``tests/emis/test_many_processes.py`` (small sizes) and
``bench/many_processes.py`` (big ones). The persons are split by which EMIS
path feeds them, so that each path's count is exact: *webhook* persons get
deliveries the load signs (versions 1..N, each with its own birth place),
*sync* persons are saved in the sandbox round by round (its feed serves
each round's versions), *pull* persons are saved in the sandbox once before
the start and pulled through the API. Every EMIS write to a person is met
by a staff edit of the same person (phone and address, which EMIS never
writes) at the same moment.
"""

from .checks import Findings, check
from .run import run
from .world import Load, World, prepare

__all__ = ["Findings", "Load", "World", "check", "prepare", "run"]
