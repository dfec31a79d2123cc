package org.fossinfra.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.HashMap;
import java.util.Map;

/**
 * The dashboard's jte templates (src/main/jte), compiled to classes of this package at build time by the
 * jte-maven-plugin: nothing is compiled at run time, and a template may use this package's package-private views.
 * Html content type: every {@code ${...}} is escaped for where it stands (text, attribute).
 */
final class Templates {
    private final TemplateEngine engine =
            TemplateEngine.createPrecompiled(null, ContentType.Html, Templates.class.getClassLoader(), "org.fossinfra.web");

    /** A whole page: {@code template.jte} with its view. */
    String page(String template, Object view) {
        return render(template, view, null);
    }

    /** One live part of a page ({@code part} names it), as the page's template renders it inside its container. */
    String part(String template, Object view, String part) {
        return render(template, view, part);
    }

    private String render(String template, Object view, String part) {
        Map<String, Object> params = new HashMap<>();
        params.put("v", view);
        if (part != null) {
            params.put("part", part);
        }
        StringOutput out = new StringOutput(16 * 1024);
        engine.render(template + ".jte", params, out);
        return out.toString();
    }
}
