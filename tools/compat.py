# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""What differs between the Odoo series the addon runs on (18.0, 19.0): the one home.

Every difference of Odoo's Python API between the supported series is a small named
function (or constant) here, with one branch per series; models, wizards, controllers
and tests call these and never look at ``odoo.release`` themselves
(``tests/test_compat.py`` checks it). A new series (20.0) enters here: add it to
``SUPPORTED_SERIES`` and give every function its branch.

Call them through the module (``from ..tools import compat`` then
``compat.in_test_mode(env)``), so that a test can patch one function for all callers.

Files that must differ per series (data XML such as security groups, JavaScript
modules) are not chosen here but by one mechanism described in ``readme/DEVELOPMENT.md``
(*Odoo series*): ``data/odoo<major>/`` loaded by ``empathy.series``, JavaScript
under ``static/src/compat/odoo<major>/`` selected by an ``ir.asset`` record of that
data. ``series_folder()`` names the folder.
"""

from odoo import release

SUPPORTED_SERIES = ("18.0", "19.0")  # scripts/_common.sh SUPPORTED_SERIES says the same

#: the running Odoo's series ("18.0", "19.0") and its major version (18, 19)
SERIES = release.series
MAJOR = release.version_info[0]


def series_folder():
    """Return the folder name of the running series' files: ``odoo18``, ``odoo19``.

    Same on every series: ``"odoo%d" % MAJOR`` (``data/odoo19/``,
    ``static/src/compat/odoo19/``).
    """
    return f"odoo{MAJOR}"


def sql_constraints(*constraints):
    """Class decorator declaring a model's SQL constraints for every series.

    ``constraints``: ``(name, definition, message)`` triples, as 18.0's
    ``_sql_constraints``. The database constraint is ``<table>_<name>`` on both, so a
    database upgraded from 18.0 to 19.0 keeps its constraints.

    - 18.0: the class gets ``_sql_constraints``.
    - 19.0: ``_sql_constraints`` is ignored (a warning in the log, no constraint: an
      ``INSERT … ON CONFLICT`` on it then fails); the class gets one
      ``models.Constraint(definition, message)`` attribute ``_<name>`` per triple.

    Usage::

        @compat.sql_constraints(
            ("name_uniq", "unique (name)", "A purchase motive with this name already exists."),
        )
        class EmpathyMotive(models.Model):
            ...
    """

    def declare(cls):
        if MAJOR < 19:
            cls._sql_constraints = [*getattr(cls, "_sql_constraints", []), *constraints]
            return cls
        from odoo import models  # noqa: PLC0415

        for name, definition, message in constraints:
            attribute = f"_{name}"
            constraint = models.Constraint(definition, message)
            setattr(cls, attribute, constraint)
            # what Python does for a class attribute: the model collects it
            constraint.__set_name__(cls, attribute)
        return cls

    return declare


def sql_constraint_names(cls):
    """Return the names of the SQL constraints ``sql_constraints`` declared on ``cls``.

    - 18.0: the names of ``_sql_constraints``.
    - 19.0: the names of the class's ``models.Constraint`` objects.
    """
    if MAJOR < 19:
        return [name for name, _definition, _message in getattr(cls, "_sql_constraints", [])]
    from odoo import models  # noqa: PLC0415

    return [
        table_object.name
        for table_object in cls._table_object_definitions
        if isinstance(table_object, models.Constraint)
    ]


def in_test_mode(env):
    """Return whether a test drives the server (requests share the test's cursor).

    - 18.0: ``registry.in_test_mode()`` (an ``HttpCase`` or a test that entered it).
    - 19.0: the registry method is gone; ``odoo.modules.module.current_test`` is set
      while any test runs (by Odoo's runner and by pytest-odoo).
    """
    if MAJOR < 19:
        return env.registry.in_test_mode()
    from odoo.modules import module  # noqa: PLC0415

    return bool(module.current_test)


def rpc_controller_class():
    """Return the controller class of ``/xmlrpc`` and ``/jsonrpc`` (to inherit from).

    - 18.0: ``odoo.addons.base.controllers.rpc.RPC``.
    - 19.0: ``odoo.addons.rpc.controllers.RPC``, in the ``rpc`` addon (auto-installed
      with ``base``). 19.0 also serves ``/json/2/<model>/<method>``
      (``odoo.addons.rpc.controllers.json2``), which the first one does not cover.
    """
    if MAJOR < 19:
        from odoo.addons.base.controllers.rpc import RPC  # noqa: PLC0415
    else:
        from odoo.addons.rpc.controllers import RPC  # noqa: PLC0415
    return RPC


def read_group_aggregate():
    """Return Odoo's mapping of aggregate names (``sum``, ``count_distinct``…) to SQL.

    - 18.0: ``odoo.models.READ_GROUP_AGGREGATE``.
    - 19.0: ``odoo.orm.models.READ_GROUP_AGGREGATE`` (``odoo.models`` no longer
      exports it).
    """
    if MAJOR < 19:
        from odoo.models import READ_GROUP_AGGREGATE  # noqa: PLC0415
    else:
        from odoo.orm.models import READ_GROUP_AGGREGATE  # noqa: PLC0415
    return READ_GROUP_AGGREGATE


def domain_and(domains):
    """Return the conjunction of ``domains`` (lists, or 19.0 ``Domain`` objects).

    - 18.0: ``odoo.osv.expression.AND`` (a list).
    - 19.0: ``odoo.fields.Domain.AND`` (a ``Domain``; ``odoo.osv`` is deprecated).
    The result goes into ``search`` & co.; do not index into it as a list.
    """
    if MAJOR < 19:
        from odoo.osv import expression  # noqa: PLC0415

        return expression.AND([list(domain) for domain in domains])
    from odoo.fields import Domain  # noqa: PLC0415

    return Domain.AND(domains)


def domain_or(domains):
    """Return the disjunction of ``domains``; see ``domain_and``.

    - 18.0: ``odoo.osv.expression.OR``; 19.0: ``odoo.fields.Domain.OR``.
    """
    if MAJOR < 19:
        from odoo.osv import expression  # noqa: PLC0415

        return expression.OR([list(domain) for domain in domains])
    from odoo.fields import Domain  # noqa: PLC0415

    return Domain.OR(domains)


def any_array_condition(fname, subquery):
    """Return a domain item: ``fname = ANY(ARRAY(subquery))`` (``subquery``: a ``SQL``
    ``SELECT`` of one column, without parentheses).

    ``= ANY(ARRAY(…))`` rather than ``IN (…)`` keeps an index usable inside an ``OR``.

    - 18.0: the leaf ``(fname, "=", SQL("ANY(ARRAY(%s))", subquery))`` (a leaf's value
      may be raw ``SQL``, put after the operator).
    - 19.0: such a leaf becomes ``IN ((ANY(ARRAY(…))))``, a syntax error; a
      ``Domain.custom`` builds the condition instead.
    Put it in a list domain like a leaf (both series accept it there).
    """
    from odoo.tools import SQL  # noqa: PLC0415

    if MAJOR < 19:
        return (fname, "=", SQL("ANY(ARRAY(%s))", subquery))
    from odoo.fields import Domain  # noqa: PLC0415

    def to_sql(model, alias, query):
        return SQL("%s = ANY(ARRAY(%s))", model._field_to_sql(alias, fname, query), subquery)

    return Domain.custom(to_sql=to_sql)


def user_groups_field():
    """Return the name of a user's groups field: ``groups_id`` (18.0), ``group_ids`` (19.0).

    19.0 renamed it on ``res.users`` (and on actions, menus, views); in Python values
    use this name, in XML a file per series (``data/odoo<major>/``). To search users by
    a group, see ``user_all_groups_field``.
    """
    return "groups_id" if MAJOR < 19 else "group_ids"


def user_all_groups_field():
    """Return the field that finds users by a group, implied groups included.

    - 18.0: ``groups_id`` (holds the implied groups too).
    - 19.0: ``all_group_ids``; ``group_ids`` holds only the groups set on the user, so
      a salesperson is not found by a group that Sales implies.
    """
    return "groups_id" if MAJOR < 19 else "all_group_ids"


def group_users_field():
    """Return the name of a group's users field: ``users`` (18.0), ``user_ids`` (19.0)."""
    return "users" if MAJOR < 19 else "user_ids"


def partner_phone_fields():
    """Return the contact's phone fields: ``("phone", "mobile")`` (18.0), ``("phone",)``.

    19.0 removed ``res.partner.mobile`` (one phone field).
    """
    return ("phone", "mobile") if MAJOR < 19 else ("phone",)


def sale_line_uom_field():
    """Return the unit field of ``sale.order.line``: ``product_uom`` (18.0),
    ``product_uom_id`` (19.0)."""
    return "product_uom" if MAJOR < 19 else "product_uom_id"


def sale_line_tax_field():
    """Return the taxes field of ``sale.order.line``: ``tax_id`` (18.0), ``tax_ids`` (19.0).

    The addon's models do not use it; the benchmarks name it in the fields an order's
    onchange returns, as the web client asks for them.
    """
    return "tax_id" if MAJOR < 19 else "tax_ids"


def crm_team_class():
    """Return crm's ``crm.team`` definition class (tests patch its methods).

    - 18.0: ``odoo.addons.crm.models.crm_team.Team``; 19.0: ``…crm_team.CrmTeam``.
    """
    from odoo.addons.crm.models import crm_team  # noqa: PLC0415

    return crm_team.Team if MAJOR < 19 else crm_team.CrmTeam


def negative_term_operators():
    """Return the operators of a domain condition with a negative meaning (``!=``,
    ``not in``…): search methods test ``operator in negative_term_operators()``.

    - 18.0: ``odoo.osv.expression.NEGATIVE_TERM_OPERATORS`` (``!=``, ``not like``,
      ``not ilike``, ``not in``).
    - 19.0: ``odoo.orm.domains.NEGATIVE_CONDITION_OPERATORS`` (the same and ``not any``,
      ``not =like``, ``not =ilike``, ``<>``; ``odoo.osv`` is deprecated).
    """
    if MAJOR < 19:
        from odoo.osv import expression  # noqa: PLC0415

        return expression.NEGATIVE_TERM_OPERATORS
    from odoo.orm import domains  # noqa: PLC0415

    return domains.NEGATIVE_CONDITION_OPERATORS


def term_operator_negation(operator):
    """Return the operator meaning the exact complement of ``operator`` (``=`` → ``!=``,
    ``in`` → ``not in``, ``<`` → ``>=``…), None if there is none (``=?``, ``child_of``).

    - 18.0: ``odoo.osv.expression.TERM_OPERATORS_NEGATION``.
    - 19.0: what ``~Domain`` applies to a condition (``odoo.orm.domains``' inverses of
      the operators and of the inequalities; ``odoo.osv`` is deprecated).
    """
    if MAJOR < 19:
        from odoo.osv import expression  # noqa: PLC0415

        return expression.TERM_OPERATORS_NEGATION.get(operator)
    from odoo.orm import domains  # noqa: PLC0415

    return domains._INVERSE_OPERATOR.get(operator) or domains._INVERSE_INEQUALITY.get(operator)


def cron_progress(env, done, remaining):
    """Tell the running scheduled action how much of its work is done and how much is
    left (``ir.cron`` calls it again in the same run while some is left).

    Outside a scheduled action (a test, a button): nothing, on both series.

    - 18.0: ``ir.cron._notify_progress(done=…, remaining=…)``; the scheduler commits
      after the call.
    - 19.0: ``ir.cron._commit_progress(done, remaining=…)`` (``_notify_progress`` is
      deprecated), which also commits: call it at the end of a batch.
    """
    if MAJOR < 19:
        env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return
    if env.context.get("ir_cron_progress_id"):
        # outside a scheduled action 19.0's method commits: nothing there, as on 18.0
        env["ir.cron"]._commit_progress(done, remaining=remaining)


def check_field_access(records, operation, field_names):
    """Raise ``AccessError`` unless the user may ``operation`` (``read``, ``write``)
    the fields ``field_names`` of ``records``' model (their ``groups``); the superuser
    may, unknown names are ignored.

    - 18.0: ``check_field_access_rights(operation, field_names)``.
    - 19.0: ``_check_field_access(field, operation)`` per field
      (``check_field_access_rights`` is deprecated).
    """
    if MAJOR < 19:
        records.check_field_access_rights(operation, list(field_names))
        return
    for name in field_names:
        field = records._fields.get(name)
        if field is not None:
            records._check_field_access(field, operation)


def running_tests():
    """Return whether tests are running in this thread (code that commits in batches
    then leaves the commits to the test's transaction).

    - 18.0: ``threading.current_thread().testing`` (set by Odoo's test loader and by
      pytest-odoo).
    - 19.0: ``odoo.modules.module.current_test`` is set (Odoo's runner no longer sets
      the thread's flag; pytest-odoo sets both).
    """
    if MAJOR < 19:
        import threading  # noqa: PLC0415

        return bool(getattr(threading.current_thread(), "testing", False))
    from odoo.modules import module  # noqa: PLC0415

    return bool(module.current_test)


def has_sale_order_option():
    """Return whether ``sale_management`` has the optional product model ``sale.order.option``.

    - 18.0: True: a quotation's optional products are ``sale.order.option`` records
      (``sale_order_option_ids``); adding one to the order creates its ``line_id``.
    - 19.0: False: the model is gone; optional products are ``sale.order.line`` records
      (quantity 0 until chosen) under a section line with ``is_optional`` set.
    """
    return MAJOR < 19


def optional_products():
    """Return ``(model, order field)`` of a quotation's optional products.

    - 18.0: ``("sale.order.option", "sale_order_option_ids")``.
    - 19.0: ``("sale.order.line", "order_line")``: the order lines, the optional ones
      under a section with ``is_optional`` (``sale.order.line._is_line_optional``).
    """
    if has_sale_order_option():
        return "sale.order.option", "sale_order_option_ids"
    return "sale.order.line", "order_line"


def run_cron_now(test, cron):
    """Run the scheduled action ``cron`` now, from the test ``test`` (a
    ``TransactionCase``), seeing and leaving its changes in the test's transaction.

    - 18.0: ``cron.method_direct_trigger()`` runs the action in the test's cursor.
    - 19.0: ``method_direct_trigger`` runs it as the scheduler does, in a cursor of its
      own (then commits): inside ``test.enter_registry_test_mode()`` that cursor wraps
      the test's.
    """
    if MAJOR < 19:
        return cron.method_direct_trigger()
    with test.enter_registry_test_mode():
        return cron.method_direct_trigger()


def grouping_methods():
    """Return the ORM methods every grouping of records ends in, whichever public method
    asked (where the addon guards its reports: ``tools/protect_advisors.py``).

    - 18.0: ``("_read_group",)``. ``read_group`` (list, pivot and graph views, external
      API) and ``web_read_group`` call it.
    - 19.0: ``("_read_group", "_read_grouping_sets")``. ``web_read_group`` →
      ``formatted_read_group`` → ``_read_group`` (list, kanban, graph views); the
      deprecated ``read_group`` → ``_read_group``; the pivot view's
      ``formatted_read_grouping_sets`` → ``_read_grouping_sets`` (new in 19.0).
    The signatures are the same on both series where the method exists.
    """
    return ("_read_group",) if MAJOR < 19 else ("_read_group", "_read_grouping_sets")


def web_grouping_calls(domain, groupby, aggregates, order=None):
    """Return the calls the web client and API clients group records with, as
    ``(method, args, kwargs, groups_of)`` (for tests of grouping guards, over RPC or in
    Python); ``groups_of(result)`` returns the list of group dicts, where
    ``group[spec]`` is the value of each aggregate ``spec`` (``"score:avg"``) and
    ``group[groupby]`` the group's value.

    - 18.0: ``web_read_group(domain, fields, groupby, orderby=, lazy=)`` (list view)
      and ``read_group`` (pivot, graph, external API); aggregates are keyed by field.
    - 19.0: ``web_read_group(domain, groupby, aggregates, order=)`` (list, kanban;
      the groups of the first groupby only, subgroups are opened by further calls),
      ``formatted_read_group`` (graph), ``formatted_read_grouping_sets`` (pivot) and the
      deprecated ``read_group`` (external API); aggregates are keyed by spec, except
      in ``read_group``.
    """
    domain, groupby, aggregates = list(domain), list(groupby), list(aggregates)

    def keyed(groups):
        for group in groups:
            for spec in aggregates:
                if spec not in group:
                    group[spec] = group.get(spec.split(":")[0])
        return groups

    read_group = (
        "read_group",
        [domain, aggregates, groupby],
        {"orderby": order or False, "lazy": False},
        keyed,
    )
    if MAJOR < 19:
        return [
            (
                "web_read_group",
                [domain, aggregates, groupby],
                {"orderby": order or False, "lazy": False},
                lambda result: keyed(result["groups"]),
            ),
            read_group,
        ]
    return [
        (
            "web_read_group",
            [domain, groupby, aggregates],
            {"order": order},
            lambda result: keyed(result["groups"]),
        ),
        ("formatted_read_group", [domain, groupby, aggregates], {"order": order}, keyed),
        (
            "formatted_read_grouping_sets",
            [domain, [groupby], aggregates],
            {"order": order},
            lambda result: keyed(result[0]),
        ),
        read_group,
    ]


def store_defaults_api():
    """Return whether records list the values they send to the web client's store
    (``mail.tools.discuss.Store``) in ``_to_store_defaults(target)``.

    - 18.0: False. ``mail.activity._to_store(store)`` reads every field the user may
      read (the addon's ``empathy_briefing`` among them) and adds it; an override adds
      its own values in ``_to_store``.
    - 19.0: True. ``Store.add`` asks ``_to_store_defaults(target)`` for a list of field
      names and ``Store.Attr(name, value)``; ``mail.activity`` has no ``_to_store``
      (one taking ``store`` alone fails), and lists only its own fields.
    ``Store().add(records).get_result()`` builds the same answer on both.
    """
    return MAJOR >= 19


def schedule_dialog_done_and_schedule():
    """Return whether the *Schedule Activity* dialog (``mail.activity.schedule``) has
    *Done & Schedule Next* (``action_schedule_activities_done_and_schedule``).

    - 18.0: True (beside *Mark as Done*, ``action_schedule_activities_done``).
    - 19.0: False: the dialog has *Mark Done* only; *Done & Schedule Next* is in the
      activity's *Mark Done* popover, ``mail.activity.action_feedback_schedule_next``
      (as on 18.0).
    """
    return MAJOR < 19


def external_api_paths():
    """Return the URL path prefixes of Odoo's external APIs (calls of model methods by
    API clients, not by the web client).

    - 18.0: ``/xmlrpc`` (``/xmlrpc/2``), ``/jsonrpc``.
    - 19.0: the same (deprecated) and ``/json/2/<model>/<method>``
      (``odoo.addons.rpc.controllers.json2``, API key or session, the request bound
      while the method runs).
    """
    paths = ("/xmlrpc", "/jsonrpc")
    return paths if MAJOR < 19 else (*paths, "/json/2/")


def thread_messages_store(messages):
    """Return what the chatter gets for ``messages`` (``/mail/thread/messages``): the
    store's result (``{"mail.message": [...], ...}``).

    - 18.0: ``Store(messages, for_current_user=True)`` (the current user's stars and
      notifications only with ``for_current_user``).
    - 19.0: ``Store().add(messages)``; ``mail.message._to_store`` has no
      ``for_current_user`` (the store's defaults include what the user sees).
    """
    from odoo.addons.mail.tools.discuss import Store  # noqa: PLC0415

    if MAJOR < 19:
        return Store(messages, for_current_user=True).get_result()
    return Store().add(messages).get_result()


def team_member_preferred_domain_field():
    """Return the field of a sales team member's *preferred* assignment domain, or None.

    - 18.0: None (a member has one assignment domain).
    - 19.0: ``assignment_domain_preferred``: Odoo's assignment gives each member the
      leads of this domain (within the assignment domain) first, by round robin,
      before the other leads.
    """
    return None if MAJOR < 19 else "assignment_domain_preferred"


def store_html(value):
    """Return the HTML of an Html field's value as the web client's store receives it
    (``Store(...).get_result()``), as a string ("" when empty).

    - 18.0: the value itself (a ``Markup`` or ``str``; JSON turns it into a string).
    - 19.0: ``Store`` sends every ``Markup`` as ``["markup", html]``, which the web
      client turns back into markup (the fields it declares as ``fields.Html``, and
      the addon's ``empathyBriefingOf`` for ``mail.activity.empathy_briefing``).
    """
    if MAJOR >= 19 and isinstance(value, list | tuple) and value[:1] == ["markup"]:
        value = value[1]
    return str(value or "")
