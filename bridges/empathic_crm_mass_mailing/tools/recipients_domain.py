# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Recipient domains of a mailing: the empathy criteria in them, and the guard that
keeps people who object to profiling out of what those criteria select.

A domain is read as a tree (prefix notation, ``&`` implied between terms), its
negations pushed down to the conditions (De Morgan; a negated empathy condition
takes its operator's exact complement, Odoo's own negation). Then each *empathy
condition* (one on an ``empathy_*`` field of a contact, directly or through a path)
is replaced by ``condition AND guard``: the guard says the contact does not object
(nor its company) and is shared or of the given companies. A person who objects
then fails every empathy condition, positive or negative ("style is not factual"
does not pick them), and is selected only by the other conditions of the domain.

Version independent: the domain is read as its prefix list (a list, or a 19.0
``Domain``, which iterates as one); written as a list.
"""

#: contact fields named ``empathy_*`` that are no profiling criterion
NOT_CRITERIA = frozenset({"empathy_objection"})
TRUE_LEAF = (1, "=", 1)
OPERATORS = ("&", "|", "!")


def parse(domain):
    """Return the tree of ``domain``: ``("&"|"|", [nodes])``, ``("!", node)`` or
    ``("leaf", condition)``."""
    items = list(domain or [])
    position = 0

    def term():
        nonlocal position
        item = items[position]
        position += 1
        if isinstance(item, str) and item in ("&", "|"):
            return (item, [term(), term()])
        if isinstance(item, str) and item == "!":
            return ("!", term())
        return ("leaf", item)

    terms = []
    while position < len(items):
        terms.append(term())
    if not terms:
        return ("leaf", TRUE_LEAF)
    return terms[0] if len(terms) == 1 else ("&", terms)


def to_list(node):
    """Return ``node`` (a tree of ``parse``) as a domain in prefix notation."""
    kind, content = node
    if kind == "leaf":
        return [tuple(content) if isinstance(content, list) else content]
    if kind == "!":
        return ["!", *to_list(content)]
    result = [kind] * (len(content) - 1)
    for child in content:
        result.extend(to_list(child))
    return result


def conjuncts(node):
    """Return the terms of the top-level conjunction of ``node`` (nested ``&`` flattened)."""
    kind, content = node
    if kind != "&":
        return [node]
    return [term for child in content for term in conjuncts(child)]


def empathy_prefix(model, condition):
    """Return the path (list of field names) leading to the contact whose empathy
    field ``condition`` tests, or None when it is no empathy condition."""
    if not isinstance(condition, (list, tuple)) or len(condition) != 3:
        return None
    path = condition[0]
    if not isinstance(path, str):
        return None
    prefix = []
    for name in path.split("."):
        field = model._fields.get(name)
        if field is None:
            return None
        if model._name == "res.partner" and name.startswith("empathy_"):
            return None if name in NOT_CRITERIA else prefix
        if not field.relational:
            return None
        prefix.append(name)
        model = model.env[field.comodel_name]
    return None


def has_empathy_condition(model, domain):
    """Return whether ``domain`` on ``model`` holds an empathy condition."""
    return any(empathy_prefix(model, item) is not None for item in list(domain or []))


def guarded(model, domain, guard, negation):
    """Return ``domain`` (on ``model``) with each empathy condition replaced by
    ``guard(prefix, condition)`` (a list of tree nodes and-ed with it, or None for
    the condition as it is, or the string ``"true"`` to drop the condition);
    ``negation(operator)`` is the exact complement of an operator or None.
    """

    def walk(node, negate):
        kind, content = node
        if kind == "!":
            return walk(content, not negate)
        if kind in ("&", "|"):
            flip = {"&": "|", "|": "&"}
            return (flip[kind] if negate else kind, [walk(child, negate) for child in content])
        prefix = empathy_prefix(model, content)
        if negate:
            negated = None
            if prefix is not None:
                operator = negation(content[1])
                negated = operator and ("leaf", (content[0], operator, content[2]))
            leaf = negated or ("!", node)
        else:
            leaf = node
        if prefix is None:
            return leaf
        extra = guard(prefix, content)
        if extra == "true":
            return ("leaf", TRUE_LEAF)
        return ("&", [leaf, *extra]) if extra else leaf

    return to_list(walk(parse(domain), False))
