"""Reads of the counter cards."""

from django.http import Http404

from ..models import CounterCard


def counter_cards() -> list[CounterCard]:
    """Every card, in the order staff set, with what the list shows. One query."""
    return list(CounterCard.objects.only("place", "title_ja", "title_en").order_by("order", "place"))


def counter_card_get(*, place: str) -> CounterCard:
    """One card by its place (city-hall, bank, phone-shop, doctor); 404 for any other."""
    card = CounterCard.objects.filter(place=place).first()
    if card is None:
        raise Http404("No such card")
    return card
