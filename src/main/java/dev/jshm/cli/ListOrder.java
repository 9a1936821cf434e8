package dev.jshm.cli;

import java.util.Comparator;
import java.util.function.Function;

/**
 * The orders {@code list --sort} takes. Fields that only System V segments have put POSIX objects
 * after them; ties keep the listing's order (kind, then id or name).
 */
enum ListOrder {
    key(item -> item.isSysV() ? Integer.toUnsignedLong(item.sysv().key()) : null),
    id(item -> item.isSysV() ? (long) item.sysv().shmid() : null),
    name(item -> item.isSysV() ? null : item.posix().name()),
    owner(Inventory.Item::uid),
    perms(Inventory.Item::mode),
    size(Inventory.Item::size),
    attach(Inventory.Item::attachments),
    cpid(item -> item.isSysV() ? item.sysv().cpid() : null),
    lpid(item -> item.isSysV() ? item.sysv().lpid() : null),
    attached(item -> item.isSysV() ? item.sysv().attachTime() : null),
    detached(item -> item.isSysV() ? item.sysv().detachTime() : null),
    changed(item -> item.isSysV() ? item.sysv().changeTime() : item.posix().stat().modifiedTime());

    private final Function<Inventory.Item, Comparable<?>> field;

    ListOrder(Function<Inventory.Item, Comparable<?>> field) {
        this.field = field;
    }

    /** Ascending by this field, segments without it last. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Comparator<Inventory.Item> comparator() {
        Comparator<Comparable> natural = Comparator.naturalOrder();
        return Comparator.comparing(item -> (Comparable) field.apply(item), Comparator.nullsLast(natural));
    }
}
