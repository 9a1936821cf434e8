package dev.jshm.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A byte count for options such as {@code --size 1M} (see {@link Sizes#parse}). */
final class SizeConverter implements ITypeConverter<Long> {

    @Override
    public Long convert(String text) {
        try {
            return Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
