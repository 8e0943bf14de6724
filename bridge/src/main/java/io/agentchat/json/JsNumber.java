package io.agentchat.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats a double exactly as JavaScript's {@code String(n)} (ECMAScript Number::toString) does:
 * {@code 2}, {@code 1.5}, {@code 0.30000000000000004}, {@code 1e+21}, {@code 1e-7}.
 *
 * <p>Signed strings and JSON that Node peers hash or compare contain numbers in this form
 * (see {@code SignedText}). Java 17's {@code Double.toString} neither uses the same layout nor always
 * picks the shortest digits, so the shortest round-tripping digits are searched explicitly.
 */
public final class JsNumber {

    private JsNumber() {
    }

    public static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return "0"; // also -0, as in JavaScript
        }
        if (value < 0) {
            return "-" + format(-value);
        }
        BigDecimal shortest = shortestDigits(value);
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        // value = digits * 10^(n - k), in the notation of the ECMAScript spec.
        int n = k - shortest.scale();
        if (k <= n && n <= 21) {
            return digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return "0." + "0".repeat(-n) + digits;
        }
        String exponent = (n - 1 >= 0 ? "+" : "-") + Math.abs(n - 1);
        String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + exponent;
    }

    /** The fewest significant digits that still read back as {@code value}, trailing zeros removed. */
    private static BigDecimal shortestDigits(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == value) {
                return strip(candidate);
            }
        }
        return strip(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
    }

    private static BigDecimal strip(BigDecimal decimal) {
        BigDecimal stripped = decimal.stripTrailingZeros();
        // stripTrailingZeros can leave a negative scale (1E+3); the caller only needs digits and scale.
        return stripped;
    }
}
